"""Server-side login sessions: started at login, ended at logout, on a password or role change, and by timeouts.

The browser's cookie holds a random token; the database holds only its SHA-256, so a copy of the database gives no
usable session. The web layer checks the session in the same query that loads the person (web/sessions.py).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import Session

from ..models import LoginSession

TOKEN_BYTES = 32
LONGEST_TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: `idle` without a request, `absolute` after login whatever happens."""

    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_config(cls, idle_minutes: int, max_hours: int) -> SessionPolicy:
        return cls(idle=timedelta(minutes=idle_minutes), absolute=timedelta(hours=max_hours))

    @property
    def touch_interval(self) -> timedelta:
        """How stale last_seen_at may get before it is written again: a few minutes, a sixth of the idle time."""
        return min(LONGEST_TOUCH_INTERVAL, self.idle / 6)


class SessionState(Enum):
    CURRENT = "current"
    TOUCH = "touch"  # current, and last_seen_at is due to be written again
    EXPIRED = "expired"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def state(created_at: datetime, last_seen_at: datetime, now: datetime, policy: SessionPolicy) -> SessionState:
    """Whether a session is still usable at `now`, and whether its last-seen time should be written."""
    if now - created_at >= policy.absolute or now - last_seen_at >= policy.idle:
        return SessionState.EXPIRED
    if now - last_seen_at >= policy.touch_interval:
        return SessionState.TOUCH
    return SessionState.CURRENT


def _expired(now: datetime, policy: SessionPolicy) -> ColumnElement[bool]:
    return or_(LoginSession.created_at <= now - policy.absolute, LoginSession.last_seen_at <= now - policy.idle)


def start(session: Session, person_id: int, now: datetime, policy: SessionPolicy) -> tuple[LoginSession, str]:
    """A new session for a person who just proved who they are; returns it and the token for the cookie.

    The person's own expired sessions are cleared on the way, so that the table does not grow between purges.
    """
    session.execute(delete(LoginSession).where(LoginSession.person_id == person_id, _expired(now, policy)))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = LoginSession(person_id=person_id, token_hash=token_hash(token), created_at=now, last_seen_at=now)
    session.add(row)
    session.flush()
    return row, token


def end(session: Session, token: str) -> int:
    """End the session of this token (logout); 0 when it had already ended."""
    result = session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def end_all(session: Session, person_id: int, *, keep: int | None = None) -> int:
    """End every session of a person except `keep` (the session making the change, if it is theirs)."""
    query = delete(LoginSession).where(LoginSession.person_id == person_id)
    if keep is not None:
        query = query.where(LoginSession.id != keep)
    result = session.execute(query)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def active(session: Session, person_id: int, now: datetime, policy: SessionPolicy) -> list[LoginSession]:
    """The person's sessions that have not timed out, newest first (for "Your login sessions")."""
    query = (
        select(LoginSession)
        .where(LoginSession.person_id == person_id, ~_expired(now, policy))
        .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
    )
    return list(session.scalars(query))


def purge_expired(session: Session, now: datetime, policy: SessionPolicy) -> int:
    """Delete every session that has timed out (run nightly by `flask privacy retention`)."""
    result = session.execute(delete(LoginSession).where(_expired(now, policy)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
