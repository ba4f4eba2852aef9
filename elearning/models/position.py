"""Where a learner was in a module, so that another device resumes there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class LearnerPosition(Base):
    """The last lesson a person opened in a module."""

    __tablename__ = "learner_position"
    __table_args__ = (UniqueConstraint("person_id", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(100))
    lesson_slug: Mapped[str] = mapped_column(String(150))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
