"""What people did: lessons seen and modules completed, keyed by the slugs written in the content."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class LessonProgress(Base):
    """One lesson marked as done by one person; at most one row per person and lesson."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("person_id", "module_slug", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(100))
    lesson_slug: Mapped[str] = mapped_column(String(150))
    content_version: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModuleCompletion(Base):
    """A module completed by a person, on a given content version."""

    __tablename__ = "module_completion"
    __table_args__ = (
        UniqueConstraint("person_id", "module_slug", "content_version"),
        Index("ix_module_completion_module_slug_completed_at", "module_slug", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(String(100))
    content_version: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Printed on the certificate; /verify/<code> confirms it. Random, so it reveals nothing by itself.
    verification_code: Mapped[str | None] = mapped_column(String(32), unique=True)
