"""Sending the queue: batches of due statements, each retried with exponential backoff when the store fails.

Run by `flask xapi send` from cron or a systemd timer, never by a learner's request. A batch the store accepts is
marked sent. A store that cannot be reached or answers 5xx ends the run; every statement of the batch counts an
attempt and waits longer before the next (1 minute, doubling, at most 6 hours), until XAPI_MAX_ATTEMPTS, when it is
given up (kept, and shown on the admin page; `flask xapi retry` queues it again). A batch rejected for its content
(400, 409, 413) is sent again one statement at a time, so one bad statement does not hold up the others. Refused
credentials (401, 403) end the run without counting attempts: the statements are not at fault.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from ...models import XapiStatement
from ...models.xapi import PENDING
from .settings import XapiSettings, retry_delay
from .transport import Answer, Transport

log = logging.getLogger("elearning.xapi")

UNAVAILABLE = "unavailable"
CREDENTIALS = "credentials"


@dataclass
class DeliveryResult:
    """What one run did, in counts only."""

    sent: int = 0
    retried: int = 0  # failed this run, waiting for their next attempt
    given_up: int = 0
    stopped: str | None = None  # why the run ended early: UNAVAILABLE or CREDENTIALS
    reason: str = ""  # the store's answer that ended it ("HTTP 401 Unauthorized", "unreachable: connection refused")

    @property
    def ok(self) -> bool:
        return self.stopped is None and not self.retried and not self.given_up


def _due(session: Session, now: datetime, limit: int) -> list[XapiStatement]:
    query = (
        select(XapiStatement)
        .where(XapiStatement.sent_at.is_(None), XapiStatement.given_up_at.is_(None))
        .where(XapiStatement.next_attempt_at <= now)
        .order_by(XapiStatement.next_attempt_at, XapiStatement.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":  # two overlapping runs take different statements
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def _sent(rows: list[XapiStatement], now: datetime) -> None:
    for row in rows:
        row.sent_at = now
        row.last_error = None


def _failed(
    rows: list[XapiStatement], answer: Answer, now: datetime, settings: XapiSettings, result: DeliveryResult
) -> None:
    for row in rows:
        row.attempts += 1
        row.last_error = answer.reason
        if row.attempts >= settings.max_attempts:
            row.given_up_at = now
            result.given_up += 1
        else:
            row.next_attempt_at = now + timedelta(seconds=retry_delay(row.attempts))
            result.retried += 1


def send_pending(
    session: Session,
    transport: Transport,
    settings: XapiSettings,
    now: datetime,
    commit: Callable[[], None],
) -> DeliveryResult:
    """Send every statement due at `now`, a batch at a time, committing after each batch."""
    result = DeliveryResult()
    while result.stopped is None:
        batch = _due(session, now, settings.batch_size)
        if not batch:
            break
        answer = transport.post([row.body for row in batch])
        if answer.ok:
            _sent(batch, now)
            result.sent += len(batch)
        elif answer.rejected_content and len(batch) > 1:
            _one_by_one(batch, transport, settings, now, result)
        else:
            _stop_or_fail(batch, answer, settings, now, result)
        session.flush()
        commit()
    _log(result, settings, session)
    return result


def _one_by_one(
    batch: list[XapiStatement], transport: Transport, settings: XapiSettings, now: datetime, result: DeliveryResult
) -> None:
    for row in batch:
        if result.stopped is not None:
            return
        answer = transport.post([row.body])
        if answer.ok:
            _sent([row], now)
            result.sent += 1
        else:
            _stop_or_fail([row], answer, settings, now, result)


def _stop_or_fail(
    rows: list[XapiStatement], answer: Answer, settings: XapiSettings, now: datetime, result: DeliveryResult
) -> None:
    if answer.refused_credentials:
        for row in rows:
            row.last_error = answer.reason
        result.stopped, result.reason = CREDENTIALS, answer.reason
        return
    _failed(rows, answer, now, settings, result)
    if not answer.rejected_content:
        result.stopped, result.reason = UNAVAILABLE, answer.reason
        log.warning(
            "xapi: the learning record store at %s failed (%s); %d statement(s) wait for their next attempt",
            settings.safe_endpoint,
            answer.reason,
            len(rows),
        )


def _log(result: DeliveryResult, settings: XapiSettings, session: Session) -> None:
    if result.stopped == CREDENTIALS:
        waiting = pending_count(session)
        log.error(
            "xapi: the learning record store at %s refused the credentials (%s); %d statement(s) kept in the queue; "
            "check ELEARNING_XAPI_KEY and ELEARNING_XAPI_SECRET",
            settings.safe_endpoint,
            result.reason,
            waiting,
        )
    log.info(
        "xapi: %d statement(s) sent, %d to retry, %d given up%s",
        result.sent,
        result.retried,
        result.given_up,
        f" (stopped: {result.stopped})" if result.stopped else "",
    )


def pending_count(session: Session) -> int:
    """Statements neither sent nor given up."""
    return int(session.scalar(select(func.count()).select_from(XapiStatement).where(text(PENDING))) or 0)


def retry_given_up(session: Session, now: datetime) -> int:
    """Queue the given-up statements again, due now, with their attempts counted afresh; returns how many."""
    changed = session.execute(
        update(XapiStatement)
        .where(XapiStatement.sent_at.is_(None), XapiStatement.given_up_at.is_not(None))
        .values(given_up_at=None, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(changed.rowcount or 0)  # type: ignore[attr-defined]
