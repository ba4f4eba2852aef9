"""Tokens of forms already handled, so that a double click or a retried POST has its effect only once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class UsedFormToken(Base):
    """A form's one-time token, recorded when its POST was handled."""

    __tablename__ = "used_form_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
