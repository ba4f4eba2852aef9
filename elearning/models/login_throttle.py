"""Failed logins per account and per address, in the database so that every app server sees the same counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class LoginThrottle(Base):
    """Consecutive failed logins for one e-mail address or one IP address, and until when it is locked."""

    __tablename__ = "login_throttle"

    # "account" or "address"; the key is a keyed hash (HMAC) of the address, never the address itself.
    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
    locked_until: Mapped[datetime | None]
