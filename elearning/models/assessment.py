"""Graded assessment attempts and their answers; one open attempt per person and module at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class AssessmentAttempt(Base):
    """One try at a module's assessment: the questions drawn, the option order shown, and the result."""

    __tablename__ = "assessment_attempt"
    __table_args__ = (
        UniqueConstraint("person_id", "module_slug", "number"),
        Index("ix_assessment_attempt_module_slug_submitted_at", "module_slug", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(Integer)
    content_version: Mapped[str] = mapped_column(String(64))
    # {"question id": ["option id", ...]} in the order shown; the keys' order is the question order.
    layout: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    score: Mapped[int | None] = mapped_column(Integer)  # percent of questions answered right
    passed: Mapped[bool | None] = mapped_column(Boolean)

    answers: Mapped[list[AssessmentAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AssessmentAnswer.id"
    )


class AssessmentAnswer(Base):
    """The options chosen for one question of a submitted attempt."""

    __tablename__ = "assessment_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("assessment_attempt.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    option_ids: Mapped[list[str]] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(Boolean)

    attempt: Mapped[AssessmentAttempt] = relationship(back_populates="answers")
