"""Which modules a learner can take, and their state on the learner's dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..content import Catalog, Lesson, Module
from ..models import LessonProgress, ModuleCompletion, Person
from . import exemptions
from .enrolments import COMPLETED, OVERDUE, EnrolmentStatus, current_enrolments
from .errors import NotFound
from .position import positions

EXEMPTED = "exempted"  # HR exempted the learner until a date: shown, never counted as due


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
    completed_version: str | None = None

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
        return next((lesson for lesson in self.module.lessons if lesson.slug not in self.done), self.module.lessons[0])


def module_state(session: Session, module: Module, person: Person) -> ModuleState:
    """One module's state for this learner."""
    return next(s for s in _states(session, [module], person))


@dataclass(frozen=True)
class AssignedModule:
    """A module assigned to the learner: its state, and the enrolment that asks for it (status from the database)."""

    state: ModuleState
    enrolment: EnrolmentStatus
    exempted_until: date | None = None  # HR exempted the learner from it until this day

    @property
    def module(self) -> Module:
        return self.state.module

    @property
    def due_on(self) -> date:
        return self.enrolment.due_on

    @property
    def status(self) -> str:
        """exempted, overdue, due_soon, completed, in_progress or not_started."""
        if self.exempted_until is not None and self.enrolment.status != COMPLETED:
            return EXEMPTED
        if self.enrolment.status in (COMPLETED, OVERDUE) or self.enrolment.is_repeat:
            return self.enrolment.status
        return self.state.status if self.state.status != COMPLETED else "in_progress"

    @property
    def progress(self) -> str:
        """in_progress or not_started, for the button (a repeat starts again)."""
        if self.enrolment.is_repeat:
            return "not_started"
        return "in_progress" if self.state.done else "not_started"

    @property
    def is_repeat(self) -> bool:
        return self.enrolment.is_repeat

    @property
    def completed_at(self) -> datetime | None:
        return self.enrolment.last_completed_at

    @property
    def completion_version(self) -> str | None:
        return self.enrolment.completion_version or self.state.completed_version


@dataclass(frozen=True)
class Dashboard:
    """My learning: assigned modules to do (overdue first, then by due date), assigned ones done, and the rest."""

    to_do: list[AssignedModule]
    done: list[AssignedModule]
    other: list[ModuleState]

    @property
    def assigned(self) -> bool:
        return bool(self.to_do or self.done)

    @property
    def states(self) -> list[ModuleState]:
        """Every module on the dashboard, assigned or not."""
        return [item.state for item in (*self.to_do, *self.done)] + self.other


def dashboard(session: Session, catalog: Catalog, person: Person, today: date) -> Dashboard:
    """Every module for this learner with progress, position and due dates, in four queries."""
    modules = [m for m in catalog.modules.values() if is_audience(m, person) and m.lessons]
    states = {state.module.slug: state for state in _states(session, modules, person)}
    chosen: dict[str, EnrolmentStatus] = {}
    for enrolment in current_enrolments(session, today, [person.id]):
        if enrolment.module_slug in states and _more_pressing(enrolment, chosen.get(enrolment.module_slug)):
            chosen[enrolment.module_slug] = enrolment
    exempted = exemptions.exempted_modules(session, person.id, today) if chosen else {}
    assigned = [AssignedModule(states[slug], e, exempted.get(slug)) for slug, e in chosen.items()]
    to_do = sorted(
        (a for a in assigned if a.enrolment.status != COMPLETED),
        key=lambda a: (a.status == EXEMPTED, a.status != OVERDUE, a.due_on, a.module.slug),
    )
    done = sorted(
        (a for a in assigned if a.enrolment.status == COMPLETED),
        key=lambda a: (a.completed_at is None, -(a.completed_at.timestamp() if a.completed_at else 0)),
    )
    other = [state for slug, state in states.items() if slug not in chosen]
    return Dashboard(to_do=to_do, done=done, other=other)


def _more_pressing(candidate: EnrolmentStatus, current: EnrolmentStatus | None) -> bool:
    """Of two assignments of one module, show the one still to do with the earliest due date."""
    if current is None:
        return True
    if (candidate.status == COMPLETED) != (current.status == COMPLETED):
        return current.status == COMPLETED
    return candidate.due_on < current.due_on


def _states(session: Session, modules: list[Module], person: Person) -> list[ModuleState]:
    done: dict[str, set[str]] = {}
    for module_slug, lesson_slug in session.execute(
        select(LessonProgress.module_slug, LessonProgress.lesson_slug).where(LessonProgress.person_id == person.id)
    ):
        done.setdefault(module_slug, set()).add(lesson_slug)
    newer = aliased(ModuleCompletion)
    latest: dict[str, tuple[datetime, str]] = {
        module_slug: (completed_at, version)
        for module_slug, completed_at, version in session.execute(
            select(ModuleCompletion.module_slug, ModuleCompletion.completed_at, ModuleCompletion.content_version).where(
                ModuleCompletion.person_id == person.id,
                ~select(newer.id)
                .where(
                    newer.person_id == person.id,
                    newer.module_slug == ModuleCompletion.module_slug,
                    newer.completed_at > ModuleCompletion.completed_at,
                )
                .exists(),
            )
        )
    }
    where = positions(session, person)
    return [
        ModuleState(
            module=m,
            done=frozenset(done.get(m.slug, ())),
            completed_at=latest[m.slug][0] if m.slug in latest else None,
            position=where.get(m.slug),
            completed_version=latest[m.slug][1] if m.slug in latest else None,
        )
        for m in modules
    ]
