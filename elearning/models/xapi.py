"""The xAPI outbox: statements about learners, queued for the learning record store and kept for export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# The queue: statements neither delivered nor given up (the send job scans only these, by when they are due).
PENDING = "sent_at IS NULL AND given_up_at IS NULL"


class XapiStatement(Base):
    """One xAPI statement, written in the transaction of the learner's own write and sent later by `flask xapi send`.

    The body is the statement exactly as it is sent, with its own UUID, so that sending it again (after a timeout
    whose answer was lost) is a no-op at the store. The last error names the failure only (an HTTP status or a
    connection error), never the statement or the person.
    """

    __tablename__ = "xapi_statement"
    __table_args__ = (
        Index(
            "ix_xapi_statement_pending",
            "next_attempt_at",
            sqlite_where=text(PENDING),
            postgresql_where=text(PENDING),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    # launched, completed, passed, failed or ended: for the admin page and the log, without reading the body.
    verb: Mapped[str] = mapped_column(String(16))
    timestamp: Mapped[datetime] = mapped_column(index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    given_up_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
