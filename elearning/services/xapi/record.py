"""Queueing statements: one INSERT into the outbox, in the transaction of the learner's own write.

The services that record progress call these functions; they do nothing unless xAPI is on, which the session says:
the app puts its XapiSettings in every session's `info` at start-up (`elearning/__init__.py`). So the learner's
request never waits for the store, a rolled-back write queues nothing, and a committed one cannot lose its statement.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.orm import Session

from ...content import Module, Scenario
from ...models import Person, XapiStatement
from . import statements
from .settings import SESSION_INFO_KEY, XapiSettings

# Built once: statement construction would cost more than the insert on the learner's path.
_INSERT = insert(XapiStatement).values(
    statement_id=bindparam("statement_id"),
    person_id=bindparam("person_id"),
    verb=bindparam("verb"),
    timestamp=bindparam("timestamp"),
    body=bindparam("body", type_=XapiStatement.__table__.c.body.type),
    attempts=0,
    next_attempt_at=bindparam("timestamp"),
)


def settings_of(session: Session) -> XapiSettings | None:
    """The xAPI settings this session carries, or None when xAPI is off."""
    settings: XapiSettings | None = session.info.get(SESSION_INFO_KEY)
    return settings


def enable(session: Session, settings: XapiSettings | None) -> None:
    """Let this session queue statements (tests, scripts); the app does it for every session by configuration."""
    session.info[SESSION_INFO_KEY] = settings


def _queue(session: Session, person: Person, verb: str, statement: dict[str, Any], at: datetime) -> None:
    values = {
        "statement_id": statement["id"],
        "person_id": person.id,
        "verb": verb,
        "timestamp": at,
        "body": statement,
    }
    session.connection().execute(_INSERT, values)


def launched(session: Session, person: Person, module: Module, at: datetime) -> None:
    settings = settings_of(session)
    if settings is None:
        return
    who = statements.actor(settings, person.id, person.email)
    _queue(session, person, "launched", statements.launched(settings, who, module, at), at)


def completed(session: Session, person: Person, module: Module, at: datetime) -> None:
    settings = settings_of(session)
    if settings is None:
        return
    who = statements.actor(settings, person.id, person.email)
    _queue(session, person, "completed", statements.completed(settings, who, module, module.version, at), at)


def assessed(
    session: Session,
    person: Person,
    module: Module,
    *,
    version: str,
    attempt: int,
    score: int,
    right: int,
    questions: int,
    passed: bool,
    at: datetime,
) -> None:
    settings = settings_of(session)
    if settings is None:
        return
    who = statements.actor(settings, person.id, person.email)
    statement = statements.assessed(
        settings,
        who,
        module,
        version=version,
        attempt=attempt,
        score=score,
        right=right,
        questions=questions,
        passed=passed,
        at=at,
    )
    _queue(session, person, "passed" if passed else "failed", statement, at)


def scenario_ended(
    session: Session, person: Person, module: Module, lesson_slug: str, scenario: Scenario, at: datetime
) -> None:
    settings = settings_of(session)
    if settings is None:
        return
    who = statements.actor(settings, person.id, person.email)
    _queue(session, person, "ended", statements.scenario_ended(settings, who, module, lesson_slug, scenario, at), at)
