"""Server-side login sessions, so that a session can be ended (logout, password or role change, timeouts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class LoginSession(Base):
    """One logged-in browser; its cookie carries a random token, the database only the token's SHA-256."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Updated at most once every few minutes (not per request): the idle timeout counts from here.
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
