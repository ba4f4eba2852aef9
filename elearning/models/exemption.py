"""Exemptions: HR takes a person out of a module for a while, by a reason category only (no details are kept)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ExemptionReason(StrEnum):
    """Why, in a category: reports show how many per category, never more."""

    LONG_TERM_SICK_LEAVE = "long_term_sick_leave"
    PARENTAL_LEAVE = "parental_leave"
    EXTERNAL_CONTRACTOR = "external_contractor"
    TRAINED_ELSEWHERE = "trained_elsewhere"
    PERSONAL_CIRCUMSTANCES = "personal_circumstances"


class Exemption(Base):
    """A person is exempt from a module from `created_at` until the end of `ends_on` (or until it is revoked)."""

    __tablename__ = "exemption"
    __table_args__ = (Index("ix_exemption_person_id_module_slug", "person_id", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(32))
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
