"""Which modules a learner can take, and their state on the learner's dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..content import Catalog, Lesson, Module
from ..models import LessonProgress, ModuleCompletion, Person
from .errors import NotFound
from .position import positions


def is_audience(module: Module, person: Person) -> bool:
    return module.audience == "all" or person.is_manager


def visible_module(catalog: Catalog, person: Person, module_slug: str) -> Module:
    """The module if this person may take it; NotFound otherwise (no hint that a managers' module exists)."""
    module = catalog.module(module_slug)
    if module is None or not is_audience(module, person):
        raise NotFound("module")
    return module


@dataclass(frozen=True)
class ModuleState:
    """A module as it stands for one learner."""

    module: Module
    done: frozenset[str]
    completed_at: datetime | None
    position: str | None = None

    @property
    def lessons_done(self) -> int:
        return sum(1 for lesson in self.module.lessons if lesson.slug in self.done)

    @property
    def status(self) -> str:
        if self.completed_at is not None:
            return "completed"
        return "in_progress" if self.done else "not_started"

    @property
    def next_lesson(self) -> Lesson:
        """Where to continue: the lesson last opened (on any device), else the first one not yet done."""
        remembered = self.module.lesson(self.position) if self.position else None
        if remembered is not None:
            return remembered
        return next((lesson for lesson in self.module.lessons if lesson.slug not in self.done),
                    self.module.lessons[0])


def module_state(session: Session, module: Module, person: Person) -> ModuleState:
    """One module's state for this learner."""
    return next(s for s in _states(session, [module], person))


def dashboard(session: Session, catalog: Catalog, person: Person) -> list[ModuleState]:
    """Every module for this learner with its progress and position, in three queries."""
    return _states(session, [m for m in catalog.modules.values() if is_audience(m, person) and m.lessons], person)


def _states(session: Session, modules: list[Module], person: Person) -> list[ModuleState]:
    done: dict[str, set[str]] = {}
    for module_slug, lesson_slug in session.execute(
        select(LessonProgress.module_slug, LessonProgress.lesson_slug).where(LessonProgress.person_id == person.id)
    ):
        done.setdefault(module_slug, set()).add(lesson_slug)
    latest: dict[str, datetime] = dict(
        session.execute(
            select(ModuleCompletion.module_slug, func.max(ModuleCompletion.completed_at))
            .where(ModuleCompletion.person_id == person.id)
            .group_by(ModuleCompletion.module_slug)
        ).all()
    )
    where = positions(session, person)
    return [
        ModuleState(
            module=m,
            done=frozenset(done.get(m.slug, ())),
            completed_at=latest.get(m.slug),
            position=where.get(m.slug),
        )
        for m in modules
    ]
