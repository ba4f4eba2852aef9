"""The audit log: every change of roles, organisations, people and assignments, and every report download."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import AuditEvent, Person


def record(session: Session, actor: Person | None, action: str, target: str = "", **details: Any) -> AuditEvent:
    """Write one audit event (actor None: a command run by the system); flushed with the change it describes."""
    event = AuditEvent(actor_id=actor.id if actor else None, action=action, target=target, details=details)
    session.add(event)
    session.flush()
    return event


def recent(
    session: Session, *, limit: int = 100, before_id: int | None = None, action: str | None = None
) -> Sequence[AuditEvent]:
    """The newest events first, a page at a time (keyset on id), optionally of one action."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if action:
        query = query.where(AuditEvent.action == action)
    return session.scalars(query).all()
