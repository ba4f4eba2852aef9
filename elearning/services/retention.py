"""Retention and erasure: who left is anonymised after the retention period; an admin can erase one person at once.

Anonymising keeps the person row, its organisation unit and everything they did (enrolments, lessons done,
completions, assessment attempts, finished scenarios), so that counts and reports stay the same; it erases what
identifies them: name, e-mail address, employee number, password hash, language, dates, manager flag and roles,
and deletes their login sessions, account links, resume positions, LMS (LTI) links and xAPI statements (sent or not:
with ELEARNING_XAPI_ACTOR=mbox they hold the e-mail address; what the store already has is the store's to keep or
erase). Nothing is logged or audited by name.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, String, cast, delete, func, literal, or_, select, update
from sqlalchemy.orm import Session

from ..i18n import _l
from ..models import AccountToken, LearnerPosition, LoginSession, LtiLink, Person, RoleGrant, XapiStatement
from . import audit, login_sessions, login_throttle
from .errors import InvalidInput
from .login_sessions import SessionPolicy
from .login_throttle import ThrottlePolicy
from .roles import person_for_admin

ERASED_EMAIL_DOMAIN = "invalid"  # RFC 2606: can never be an address, so no mail is ever sent there
BATCH = 500


@dataclass(frozen=True)
class RetentionResult:
    """What a retention run did (or, dry run, would do): counts only."""

    cutoff: date
    anonymised: int
    newly_inactive: int
    sessions_purged: int
    throttles_purged: int
    dry_run: bool


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the 31st becomes the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _anonymise(session: Session, person_ids: Sequence[int], now: datetime) -> None:
    """Erase what identifies these people, in set-based statements (the caller audits)."""
    ids = list(person_ids)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        session.execute(
            update(Person)
            .where(Person.id.in_(batch))
            .values(
                name="",
                email=literal("erased-") + cast(Person.id, String) + literal("@" + ERASED_EMAIL_DOMAIN),
                employee_number=None,
                password_hash=None,
                preferred_language=None,
                is_manager=False,
                active=False,
                start_date=None,
                end_date=None,
                anonymised_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        # LMS links go too (the LMS's id of the person); their queued scores with them (ON DELETE CASCADE).
        for model in (RoleGrant, AccountToken, LoginSession, LearnerPosition, LtiLink, XapiStatement):
            session.execute(
                delete(model).where(model.person_id.in_(batch)).execution_options(synchronize_session=False)
            )
    session.flush()
    _expire_people(session, set(ids))


def _expire_people(session: Session, ids: set[int] | None) -> None:
    """People already loaded in `session` must not show the values the set-based updates replaced."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Person) and (ids is None or loaded.id in ids):
            session.expire(loaded)


def _due(cutoff: date, today: date) -> tuple[ColumnElement[bool], ...]:
    """People who left before `cutoff`: inactive, by their end date or the day they were first seen inactive."""
    return (
        Person.active.is_(False),
        Person.anonymised_at.is_(None),
        or_(Person.end_date < cutoff, func.coalesce(Person.inactive_since, today) < cutoff),
    )


def run_retention(
    session: Session,
    *,
    today: date,
    now: datetime,
    months: int,
    session_policy: SessionPolicy,
    throttle_policy: ThrottlePolicy,
    dry_run: bool = False,
) -> RetentionResult:
    """The nightly job: note who became inactive, anonymise who left more than `months` ago, purge stale sessions
    and login counts. A dry run counts without writing."""
    cutoff = months_before(today, months)
    newly_inactive_query = select(func.count(Person.id)).where(
        Person.active.is_(False), Person.inactive_since.is_(None), Person.anonymised_at.is_(None)
    )
    newly_inactive = session.scalar(newly_inactive_query) or 0
    due = list(session.scalars(select(Person.id).where(*_due(cutoff, today)).order_by(Person.id)))
    if dry_run:
        return RetentionResult(cutoff, len(due), newly_inactive, 0, 0, dry_run=True)
    session.execute(
        update(Person)
        .where(Person.active.is_(False), Person.inactive_since.is_(None), Person.anonymised_at.is_(None))
        .values(inactive_since=today)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Person)
        .where(Person.active.is_(True), Person.inactive_since.is_not(None))
        .values(inactive_since=None)
        .execution_options(synchronize_session=False)
    )
    _expire_people(session, None)
    _anonymise(session, due, now)
    sessions_purged = login_sessions.purge_expired(session, now, session_policy)
    throttles_purged = login_throttle.purge(session, now, throttle_policy)
    if due:
        audit.record(session, None, "privacy.retention", "people", anonymised=len(due), months=months)
    return RetentionResult(cutoff, len(due), newly_inactive, sessions_purged, throttles_purged, dry_run=False)


def erase_person(session: Session, actor: Person, person_id: int, now: datetime) -> bool:
    """An administrator erases one person's personal data at once; False when it was erased already."""
    person = person_for_admin(session, actor, person_id)
    if person.id == actor.id:
        raise InvalidInput(_l("You cannot erase your own account. Ask another administrator."))
    if person.anonymised_at is not None:
        return False
    _anonymise(session, [person.id], now)
    audit.record(session, actor, "person.erase", f"person:{person_id}")
    return True
