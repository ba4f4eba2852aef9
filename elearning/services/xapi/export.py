"""The statements of a date range as one JSON array, and the queue's state, for administrators."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...i18n import _l
from ...models import Person, XapiStatement
from .. import audit
from ..errors import InvalidInput
from ..roles import require_admin

EXPORT = "xapi.export"
MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class Range:
    """From the start of `first` to the end of `last` (UTC), both inclusive."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=UTC)


def _day(text: str | None, label: str) -> date:
    value = (text or "").strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _l("%(field)s: “%(value)s” is not a date; write YYYY-MM-DD.", field=label, value=value[:40])
        ) from None


def parse_range(args: Mapping[str, str], today: date) -> Range:
    """The range asked for (`from`, `to`); default the last 30 days up to today. InvalidInput names a bad value."""
    first = _day(args.get("from"), str(_l("From"))) if (args.get("from") or "").strip() else today - timedelta(days=30)
    last = _day(args.get("to"), str(_l("To"))) if (args.get("to") or "").strip() else today
    if first > last:
        raise InvalidInput(_l("From %(start)s is after to %(end)s.", start=first, end=last))
    if (last - first).days > MAX_DAYS:
        raise InvalidInput(_l("Choose a range of at most five years."))
    return Range(first, last)


def statements(session: Session, actor: Person | None, period: Range) -> Iterator[str]:
    """The JSON text of every statement whose timestamp lies in the range, oldest first, sent or not; streamed.

    Administrators only (`actor` None: a command run on the server). The check and the audit event happen at the
    call, before the first row is read (the caller commits them).
    """
    if actor is not None:
        require_admin(actor)
    audit.record(session, actor, EXPORT, "", first=period.first.isoformat(), last=period.last.isoformat())
    return _json(session, period)


def _json(session: Session, period: Range) -> Iterator[str]:
    query = (
        select(XapiStatement.body)
        .where(XapiStatement.timestamp >= period.start, XapiStatement.timestamp < period.end)
        .order_by(XapiStatement.timestamp, XapiStatement.id)
    )
    yield "["
    first = True
    rows = session.execute(query, execution_options={"yield_per": 1000, "stream_results": True})
    for batch in rows.partitions():
        chunk = []
        for (body,) in batch:
            chunk.append(("\n" if first else ",\n") + json.dumps(body, ensure_ascii=False, sort_keys=True))
            first = False
        yield "".join(chunk)
    yield "\n]\n"


@dataclass(frozen=True)
class QueueState:
    """The outbox at a glance: counts, the oldest waiting statement, and the errors seen (no personal data)."""

    waiting: int
    due: int
    sent: int
    given_up: int
    oldest_waiting: datetime | None
    last_sent: datetime | None
    errors: list[tuple[str, int]]


def queue_state(session: Session, actor: Person, now: datetime) -> QueueState:
    """For the admin page."""
    require_admin(actor)
    return queue_counts(session, now)


def queue_counts(session: Session, now: datetime) -> QueueState:
    """The counts, for an administrator (queue_state) or a command run on the server."""
    pending = XapiStatement.sent_at.is_(None) & XapiStatement.given_up_at.is_(None)
    waiting, due, sent, given_up, oldest, last_sent = session.execute(
        select(
            func.count().filter(pending),
            func.count().filter(pending & (XapiStatement.next_attempt_at <= now)),
            func.count().filter(XapiStatement.sent_at.is_not(None)),
            func.count().filter(XapiStatement.given_up_at.is_not(None)),
            func.min(XapiStatement.timestamp).filter(pending),
            func.max(XapiStatement.sent_at),
        )
    ).one()
    errors = session.execute(
        select(XapiStatement.last_error, func.count())
        .where(XapiStatement.sent_at.is_(None), XapiStatement.last_error.is_not(None))
        .group_by(XapiStatement.last_error)
        .order_by(func.count().desc())
        .limit(10)
    ).all()
    return QueueState(
        waiting=waiting,
        due=due,
        sent=sent,
        given_up=given_up,
        oldest_waiting=_aware(oldest),
        last_sent=_aware(last_sent),
        errors=[(str(error), int(count)) for error, count in errors],
    )


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates skip the column type, so SQLite gives naive (or text) UTC values; make them aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
