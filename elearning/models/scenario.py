"""Scenario outcomes: anonymous counts per choice and per ending, and per person only that it was finished."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ScenarioChoiceCount(Base):
    """How often a choice (or, with choice_id '', an ending scene) was reached; never who made it."""

    __tablename__ = "scenario_choice_count"
    __table_args__ = (UniqueConstraint("module_slug", "scenario_id", "scene_id", "choice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_slug: Mapped[str] = mapped_column(String(100))
    scenario_id: Mapped[str] = mapped_column(String(100))
    scene_id: Mapped[str] = mapped_column(String(100))
    choice_id: Mapped[str] = mapped_column(String(100), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


class ScenarioCompletion(Base):
    """A person reached an ending of a scenario; which ending and which path are not stored."""

    __tablename__ = "scenario_completion"
    __table_args__ = (UniqueConstraint("person_id", "module_slug", "scenario_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(String(100))
    scenario_id: Mapped[str] = mapped_column(String(100))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
