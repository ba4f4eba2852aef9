"""Enrolments kept in step with assignments, the roster and completions by set-based SQL, and their due status."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from ..content import Catalog, Module
from ..models import Assignment, Enrolment, LessonProgress, ModuleCompletion, OrganisationUnit, Person
from .sql_dates import add_days, add_months, later_date, utc_date

# After inserting this many enrolments, refresh the table's statistics before planning the next statements.
ANALYZE_AFTER_ROWS = 5000
# An open enrolment due within this many days is "due soon".
SOON_DAYS = 14

COMPLETED = "completed"
OVERDUE = "overdue"
DUE_SOON = "due_soon"
OPEN = "open"

_assignment_unit = aliased(OrganisationUnit, name="assignment_unit")
_person_unit = aliased(OrganisationUnit, name="person_unit")
# Bulk statements: the identity map is refreshed by hand; psycopg reports INSERT ... SELECT counts only if asked.
_UPDATE = {"synchronize_session": False, "preserve_rowcount": True}


@dataclass(frozen=True)
class SyncResult:
    """How many enrolments one sync created, withdrew, reopened, completed, and how many next cycles it opened."""

    enrolled: int = 0
    withdrawn: int = 0
    reopened: int = 0
    completed: int = 0
    next_cycles: int = 0

    @property
    def changed(self) -> bool:
        return any((self.enrolled, self.withdrawn, self.reopened, self.completed, self.next_cycles))


@dataclass(frozen=True)
class _Scope:
    """Which enrolments one run looks at: all, or those of some people, one assignment or one module."""

    person_ids: Collection[int] | None = None
    assignment_id: int | None = None
    module_slug: str | None = None

    def on_assignment(self) -> list[ColumnElement[bool]]:
        """Filters for statements that read Assignment and Person directly."""
        where: list[ColumnElement[bool]] = []
        if self.person_ids is not None:
            where.append(Person.id.in_(self.person_ids))
        if self.assignment_id is not None:
            where.append(Assignment.id == self.assignment_id)
        if self.module_slug is not None:
            where.append(Assignment.module_slug == self.module_slug)
        return where

    def on_enrolment(self, row: type[Enrolment]) -> list[ColumnElement[bool]]:
        """Filters on the enrolment rows `row` (the table or an alias of it)."""
        where: list[ColumnElement[bool]] = []
        if self.person_ids is not None:
            where.append(row.person_id.in_(self.person_ids))
        if self.assignment_id is not None:
            where.append(row.assignment_id == self.assignment_id)
        if self.module_slug is not None:
            where.append(row.assignment_id.in_(select(Assignment.id).where(Assignment.module_slug == self.module_slug)))
        return where


def sync(
    session: Session,
    catalog: Catalog,
    today: date,
    *,
    now: datetime,
    checkpoint: Callable[[], None] | None = None,
) -> SyncResult:
    """Bring every enrolment in line with the assignments, the roster and the completions (for the nightly job).

    `checkpoint` (the caller's commit) is called after each step, so that on SQLite learners wait at most for one
    statement, not for the whole run; each step leaves the data consistent, and a rerun finishes an interrupted one.
    """
    return _run(session, catalog, today, now, _Scope(), checkpoint or (lambda: None))


def sync_assignment(
    session: Session, catalog: Catalog, assignment_id: int, today: date, *, now: datetime
) -> SyncResult:
    """The same, for one assignment only: run right after it was created or changed."""
    return _run(session, catalog, today, now, _Scope(assignment_id=assignment_id), lambda: None)


def sync_people(
    session: Session, catalog: Catalog, person_ids: Collection[int], today: date, *, now: datetime
) -> SyncResult:
    """The same, for some people only: run after they joined, moved or left."""
    return _run(session, catalog, today, now, _Scope(person_ids=list(person_ids)), lambda: None)


def record_completion(session: Session, catalog: Catalog, person: Person, module_slug: str, now: datetime) -> None:
    """Mark the person's open enrolments in this module completed, and open their next cycles where they recur."""
    session.flush()
    scope = _Scope(person_ids=[person.id], module_slug=module_slug)
    if _complete(session, catalog, scope, now):
        cycles = _per_assignment(session, scope, recurring=True)
        if sum(_open_next_cycles(session, catalog, now.date(), now, one) for one in cycles):
            _mark_primary(session, scope)
        expire_loaded(session)


def completed_module(session: Session, person: Person, module: Module, now: datetime) -> None:
    """`record_completion` for a module value, for callers that hold the module but not the catalogue."""
    record_completion(session, Catalog(modules={module.slug: module}), person, module.slug, now)


def repeat_waiting() -> ColumnElement[bool]:
    """EXISTS: a completion of (:person_id, :module_slug, :version) that a recurring cycle still waits for.

    A completion is one row per content version; taking an unchanged module again for the next cycle of a
    recurring assignment therefore dates that row anew (the previous cycle keeps its own completion date).
    """
    return (
        select(Enrolment.id)
        .join(Assignment, Assignment.id == Enrolment.assignment_id)
        .join(
            ModuleCompletion,
            and_(
                ModuleCompletion.person_id == Enrolment.person_id,
                ModuleCompletion.module_slug == Assignment.module_slug,
            ),
        )
        .where(
            Enrolment.person_id == bindparam("person_id"),
            Enrolment.completed_at.is_(None),
            Enrolment.withdrawn_at.is_(None),
            Enrolment.counts_from >= ModuleCompletion.completed_at,
            Assignment.module_slug == bindparam("module_slug"),
            Assignment.ended_at.is_(None),
            ModuleCompletion.content_version == bindparam("version"),
        )
        .exists()
    )


def unstarted() -> ColumnElement[bool]:
    """EXISTS: an open duty of (:person_id, :module_slug) in effect and not yet started."""
    return (
        select(Enrolment.id)
        .join(Assignment, Assignment.id == Enrolment.assignment_id)
        .where(
            Enrolment.person_id == bindparam("person_id"),
            Enrolment.started_at.is_(None),
            Enrolment.completed_at.is_(None),
            Enrolment.withdrawn_at.is_(None),
            Assignment.module_slug == bindparam("module_slug"),
        )
        .exists()
    )


def mark_started(session: Session, person: Person, module_slug: str, now: datetime) -> None:
    """The person did something in the module: their open duties in it that had not started, have now."""
    session.execute(
        update(Enrolment)
        .where(
            Enrolment.person_id == person.id,
            Enrolment.started_at.is_(None),
            Enrolment.completed_at.is_(None),
            Enrolment.withdrawn_at.is_(None),
            Enrolment.assignment_id.in_(select(Assignment.id).where(Assignment.module_slug == module_slug)),
        )
        .values(started_at=now)
        .execution_options(**_UPDATE)
    )
    expire_loaded(session)


def renew_completion(session: Session, person: Person, module: Module, now: datetime) -> bool:
    """Date the person's completion of this version anew when a recurring cycle waits for it (see repeat_waiting)."""
    waiting = (
        select(Enrolment.id)
        .join(Assignment, Assignment.id == Enrolment.assignment_id)
        .where(
            Enrolment.person_id == person.id,
            Enrolment.completed_at.is_(None),
            Enrolment.withdrawn_at.is_(None),
            Enrolment.counts_from >= ModuleCompletion.completed_at,
            Assignment.module_slug == module.slug,
            Assignment.ended_at.is_(None),
        )
        .exists()
    )
    result = session.execute(
        update(ModuleCompletion)
        .where(
            ModuleCompletion.person_id == person.id,
            ModuleCompletion.module_slug == module.slug,
            ModuleCompletion.content_version == module.version,
            ModuleCompletion.completed_at < now,
            waiting,
        )
        .values(completed_at=now)
        .execution_options(**_UPDATE)
    )
    renewed = _rowcount(result) > 0
    if renewed:
        for obj in list(session.identity_map.values()):
            if isinstance(obj, ModuleCompletion):
                session.expire(obj)
    return renewed


def _run(
    session: Session, catalog: Catalog, today: date, now: datetime, scope: _Scope, checkpoint: Callable[[], None]
) -> SyncResult:
    session.flush()
    if scope == _Scope():
        _refresh_statistics(session)
    withdrawn = _withdraw(session, catalog, today, now, scope)
    reopened = _reopen(session, catalog, today, scope)
    checkpoint()
    enrolled = 0
    for one in _per_assignment(session, scope):
        enrolled += _enrol(session, catalog, today, now, one)
        checkpoint()
    if enrolled >= ANALYZE_AFTER_ROWS:
        _refresh_statistics(session)
    completed = _complete(session, catalog, scope, now)
    checkpoint()
    next_cycles = 0
    for one in _per_assignment(session, scope, recurring=True):
        next_cycles += _open_next_cycles(session, catalog, today, now, one)
        checkpoint()
    _follow_moves(session, scope)
    _mark_primary(session, scope)
    result = SyncResult(enrolled, withdrawn, reopened, completed, next_cycles)
    if result.changed:
        expire_loaded(session)
    return result


def _per_assignment(session: Session, scope: _Scope, *, recurring: bool = False) -> list[_Scope]:
    """The scope split by running assignment, for the statements that join people to units.

    With one assignment fixed, SQLite plans "every person, then an index probe"; with all of them at once it may
    start from the units and scan everyone per unit (minutes at 200,000 people instead of a second).
    """
    if scope.assignment_id is not None:
        return [scope]
    query = select(Assignment.id).where(Assignment.ended_at.is_(None)).order_by(Assignment.id)
    if scope.module_slug is not None:
        query = query.where(Assignment.module_slug == scope.module_slug)
    if recurring:
        query = query.where(Assignment.recurrence_months.is_not(None))
    return [dataclasses.replace(scope, assignment_id=assignment_id) for assignment_id in session.scalars(query)]


def _refresh_statistics(session: Session) -> None:
    """ANALYZE the enrolment table on PostgreSQL, so the next statements are planned on its real size.

    Planned on statistics from before a large insert (autovacuum lags behind), the joins of the following steps
    degrade from seconds to many minutes at 200,000 people; sampling the table takes well under a second.
    (Without ownership of the table PostgreSQL only warns and skips it.)
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE enrolment"))


def _managers_only(catalog: Catalog) -> ColumnElement[bool]:
    """An assignment limited to managers, or of a module only managers may take."""
    managers_modules = [slug for slug, module in catalog.modules.items() if module.audience == "managers"]
    if not managers_modules:
        return Assignment.managers_only.is_(True)
    return or_(Assignment.managers_only.is_(True), Assignment.module_slug.in_(managers_modules))


def _person_in_audience(catalog: Catalog, today: date) -> ColumnElement[bool]:
    """Person (in _person_unit) belongs to the audience of Assignment (on _assignment_unit), running or not."""
    return and_(
        Person.active.is_(True),
        or_(Person.end_date.is_(None), Person.end_date >= today),
        _person_unit.path.startswith(_assignment_unit.path),  # path LIKE assignment_unit.path || '%'
        or_(~_managers_only(catalog), Person.is_manager.is_(True)),
    )


def _in_audience(catalog: Catalog, today: date) -> ColumnElement[bool]:
    """Person (in _person_unit) belongs to the audience of a running Assignment (on _assignment_unit)."""
    return and_(Assignment.ended_at.is_(None), _person_in_audience(catalog, today))


def _with_audience(row: type[Enrolment]) -> Select[Any]:
    """The ids of enrolments `row`, joined to their assignment, person and both units (by key: one row each)."""
    return (
        select(row.id)
        .join(Assignment, Assignment.id == row.assignment_id)
        .join(_assignment_unit, _assignment_unit.id == Assignment.organisation_id)
        .join(Person, Person.id == row.person_id)
        .outerjoin(_person_unit, _person_unit.id == Person.organisation_id)
    )


def _withdraw(session: Session, catalog: Catalog, today: date, now: datetime, scope: _Scope) -> int:
    """Open enrolments of people no longer in the audience (moved out, left) or of ended assignments.

    A completed duty in effect is withdrawn too when its person leaves the audience, so that reports stop counting
    them there from that day (as of earlier dates they still count); an ended assignment keeps its completions.
    """
    row = aliased(Enrolment, name="candidate")
    gone = _person_unit.id.is_(None)
    leaving = _with_audience(row).where(
        row.withdrawn_at.is_(None),
        row.superseded_at.is_(None),
        *scope.on_enrolment(row),
        or_(
            and_(row.completed_at.is_(None), or_(gone, ~_in_audience(catalog, today))),
            and_(row.completed_at.is_not(None), or_(gone, ~_person_in_audience(catalog, today))),
        ),
    )
    statement = update(Enrolment).where(Enrolment.id.in_(leaving)).values(withdrawn_at=now).execution_options(**_UPDATE)
    return _rowcount(session.execute(statement))


def _reopen(session: Session, catalog: Catalog, today: date, scope: _Scope) -> int:
    """Withdrawn enrolments of people who are back in the audience; their due date (and completion) stays."""
    row = aliased(Enrolment, name="candidate")
    back = _with_audience(row).where(
        row.withdrawn_at.is_not(None),
        row.superseded_at.is_(None),
        *scope.on_enrolment(row),
        _person_unit.id.is_not(None),
        _in_audience(catalog, today),
    )
    statement = update(Enrolment).where(Enrolment.id.in_(back)).values(withdrawn_at=None).execution_options(**_UPDATE)
    return _rowcount(session.execute(statement))


def _insert_new(session: Session, columns: list[str], rows: Select) -> int:
    """INSERT ... SELECT, skipping rows whose (assignment, person, cycle) exists.

    ON CONFLICT on the unique key, not NOT EXISTS: the check stays an index probe even when the planner thinks
    the table is empty (a NOT EXISTS then becomes a sequential scan per row of a table growing under it), and two
    syncs running at once cannot collide.
    """
    builder = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        builder(Enrolment)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["assignment_id", "person_id", "cycle"])
        .execution_options(**_UPDATE)
    )
    return _rowcount(session.execute(statement))


def _enrol(session: Session, catalog: Catalog, today: date, now: datetime, scope: _Scope) -> int:
    """Everyone in an audience without an enrolment gets cycle 0, due on the fixed date or N days after starting."""
    day = literal(today, Date)
    due = func.coalesce(
        Assignment.due_on, add_days(later_date(Person.start_date, day), Assignment.due_days_after_start)
    )
    started = (
        select(func.min(LessonProgress.completed_at))
        .where(LessonProgress.person_id == Person.id, LessonProgress.module_slug == Assignment.module_slug)
        .scalar_subquery()
    )
    audience = (
        select(
            Assignment.id,
            Person.id,
            literal(0, Integer),
            due,
            literal(now, Enrolment.enrolled_at.type),
            Person.organisation_id,
            started,
        )
        .select_from(Assignment)
        .join(_assignment_unit, _assignment_unit.id == Assignment.organisation_id)
        .join(_person_unit, _person_unit.path.startswith(_assignment_unit.path))
        .join(Person, Person.organisation_id == _person_unit.id)
        .where(
            Assignment.module_slug.in_(list(catalog.modules)),
            _in_audience(catalog, today),
            *scope.on_assignment(),
        )
    )
    columns = ["assignment_id", "person_id", "cycle", "due_on", "enrolled_at", "organisation_id", "started_at"]
    return _insert_new(session, columns, audience)


def _current_version(catalog: Catalog) -> ColumnElement[Any]:
    """The catalogue's content version of Assignment.module_slug, as SQL."""
    versions = {slug: module.version for slug, module in catalog.modules.items()}
    if not versions:
        return null()
    return case(versions, value=Assignment.module_slug, else_=null())


def _fulfils(catalog: Catalog, row: type[Enrolment]) -> ColumnElement[bool]:
    """A ModuleCompletion fulfils enrolment `row` (of Assignment): late enough, and on the right version."""
    return and_(
        # counts_from holds the previous cycle's completion, which must not count twice.
        or_(row.counts_from.is_(None), ModuleCompletion.completed_at > row.counts_from),
        or_(
            and_(Assignment.requires_current_version.is_(False), row.cycle == 0),
            ModuleCompletion.content_version == _current_version(catalog),
        ),
    )


def _complete(session: Session, catalog: Catalog, scope: _Scope, now: datetime) -> int:
    """Open enrolments with a fulfilling completion take the latest such completion's moment and version."""
    row = aliased(Enrolment, name="candidate")
    ranked = (
        select(
            row.id.label("enrolment_id"),
            ModuleCompletion.completed_at.label("completed_at"),
            ModuleCompletion.content_version.label("version"),
            func.row_number()
            .over(partition_by=row.id, order_by=(ModuleCompletion.completed_at.desc(), ModuleCompletion.id.desc()))
            .label("newest"),
        )
        .join(Assignment, Assignment.id == row.assignment_id)
        .join(
            ModuleCompletion,
            and_(
                ModuleCompletion.person_id == row.person_id,
                # `|| ''` keeps SQLite off the (module_slug, completed_at) index, which it would otherwise scan
                # for every enrolment; the person's index is the selective one.
                ModuleCompletion.module_slug.concat("") == Assignment.module_slug,
            ),
        )
        .where(row.completed_at.is_(None), row.withdrawn_at.is_(None), *scope.on_enrolment(row), _fulfils(catalog, row))
        .subquery("fulfilled")
    )
    statement = (
        update(Enrolment)
        .where(Enrolment.id == ranked.c.enrolment_id, ranked.c.newest == 1)
        .values(
            completed_at=ranked.c.completed_at,
            completion_version=ranked.c.version,
            started_at=func.coalesce(Enrolment.started_at, ranked.c.completed_at),
        )
        .execution_options(**_UPDATE)
    )
    return _rowcount(session.execute(statement))


def _open_next_cycles(session: Session, catalog: Catalog, today: date, now: datetime, scope: _Scope) -> int:
    """A completed cycle of a recurring assignment opens the next: due N months after the completion date."""
    previous = aliased(Enrolment, name="previous")
    next_cycles = (
        select(
            previous.assignment_id,
            previous.person_id,
            previous.cycle + 1,
            add_months(utc_date(previous.completed_at), Assignment.recurrence_months),
            previous.completed_at,
            literal(now, Enrolment.enrolled_at.type),
            Person.organisation_id,
        )
        .select_from(previous)
        .join(Assignment, Assignment.id == previous.assignment_id)
        .join(_assignment_unit, _assignment_unit.id == Assignment.organisation_id)
        .join(Person, Person.id == previous.person_id)
        .join(_person_unit, _person_unit.id == Person.organisation_id)
        .where(
            previous.completed_at.is_not(None),
            previous.withdrawn_at.is_(None),
            previous.superseded_at.is_(None),
            Assignment.recurrence_months.is_not(None),
            Assignment.module_slug.in_(list(catalog.modules)),
            _in_audience(catalog, today),
            *scope.on_assignment(),
        )
    )
    columns = ["assignment_id", "person_id", "cycle", "due_on", "counts_from", "enrolled_at", "organisation_id"]
    opened = _insert_new(session, columns, next_cycles)
    if opened:
        _supersede(session, now, scope)
    return opened


def _supersede(session: Session, now: datetime, scope: _Scope) -> None:
    """Completed cycles whose next cycle exists stop being in effect (their history stays)."""
    later = aliased(Enrolment, name="later_cycle")
    has_next = (
        select(later.id)
        .where(
            later.assignment_id == Enrolment.assignment_id,
            later.person_id == Enrolment.person_id,
            later.cycle > Enrolment.cycle,
        )
        .exists()
    )
    session.execute(
        update(Enrolment)
        .where(Enrolment.superseded_at.is_(None), Enrolment.completed_at.is_not(None), *scope.on_enrolment(Enrolment))
        .where(has_next)
        .values(superseded_at=now)
        .execution_options(**_UPDATE)
    )


def _follow_moves(session: Session, scope: _Scope) -> None:
    """Duties in effect follow their person to another unit within the audience (a move, or a unit moved)."""
    unit_now = select(Person.organisation_id).where(Person.id == Enrolment.person_id).scalar_subquery()
    moved = (
        select(Person.id)
        .where(
            Person.id == Enrolment.person_id,  # a primary-key probe per duty, not a scan of everyone
            Person.organisation_id.is_not(None),
            Person.organisation_id != Enrolment.organisation_id,
        )
        .exists()
    )
    session.execute(
        update(Enrolment)
        .where(Enrolment.withdrawn_at.is_(None), Enrolment.superseded_at.is_(None), *scope.on_enrolment(Enrolment))
        .where(moved)
        .values(organisation_id=unit_now)
        .execution_options(**_UPDATE)
    )


def _mark_primary(session: Session, scope: _Scope) -> None:
    """Of a person's duties in effect for one module, the one due first (then the oldest) binds and is counted.

    Only people with several running assignments of one module can have a duty that does not bind; the first
    statement finds those few, the second gives the flag back to duties no longer outranked.
    """
    rival, rival_assignment = aliased(Enrolment, name="rival"), aliased(Assignment, name="rival_assignment")
    own_assignment = aliased(Assignment, name="own_assignment")
    own_module = (
        select(own_assignment.module_slug)
        .where(own_assignment.id == Enrolment.assignment_id)
        .correlate(Enrolment)
        .scalar_subquery()
    )
    outranked = (
        select(rival.id)
        .join(rival_assignment, rival_assignment.id == rival.assignment_id)
        .where(
            rival.person_id == Enrolment.person_id,
            rival.id != Enrolment.id,
            rival_assignment.module_slug == own_module,
            rival.withdrawn_at.is_(None),
            rival.superseded_at.is_(None),
            or_(rival.due_on < Enrolment.due_on, and_(rival.due_on == Enrolment.due_on, rival.id < Enrolment.id)),
        )
        .exists()
    )
    in_effect = and_(Enrolment.withdrawn_at.is_(None), Enrolment.superseded_at.is_(None))
    duty, duty_assignment = aliased(Enrolment, name="duty"), aliased(Assignment, name="duty_assignment")
    duties = (
        select(duty.person_id, duty_assignment.module_slug)
        .join(duty_assignment, duty_assignment.id == duty.assignment_id)
        .where(duty.withdrawn_at.is_(None), duty.superseded_at.is_(None), *scope.on_enrolment(duty))
        .group_by(duty.person_id, duty_assignment.module_slug)
        .having(func.count(duty.id) > 1)
        .subquery("contested")
    )
    session.execute(
        update(Enrolment)
        .where(
            Enrolment.is_primary.is_(True),
            in_effect,
            Enrolment.person_id.in_(select(duties.c.person_id)),
            outranked,
        )
        .values(is_primary=False)
        .execution_options(**_UPDATE)
    )
    session.execute(
        update(Enrolment)
        .where(Enrolment.is_primary.is_(False), *scope.on_enrolment(Enrolment), or_(~in_effect, ~outranked))
        .values(is_primary=True)
        .execution_options(**_UPDATE)
    )


def _rowcount(result: Any) -> int:
    return max(int(result.rowcount or 0), 0)


def expire_loaded(session: Session) -> None:
    """Bulk statements bypass the identity map: let loaded enrolments reload."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Enrolment):
            session.expire(obj)


# --- status -----------------------------------------------------------------------------------------------------


def status_expression(today: date) -> ColumnElement[str]:
    """An enrolment's status, computed in the database.

    completed: fulfilled; for a later cycle of a recurring assignment also while the next repeat is not yet near;
    overdue: due before today; due_soon: due within SOON_DAYS; open: otherwise.
    """
    return case(
        (Enrolment.completed_at.is_not(None), COMPLETED),
        (Enrolment.due_on < today, OVERDUE),
        (Enrolment.due_on <= today + timedelta(days=SOON_DAYS), DUE_SOON),
        (Enrolment.cycle > 0, COMPLETED),
        else_=OPEN,
    )


def _is_current() -> ColumnElement[bool]:
    """The cycle in effect of a person's enrolment in a running assignment, unless withdrawn."""
    return and_(Enrolment.withdrawn_at.is_(None), Enrolment.superseded_at.is_(None), Assignment.ended_at.is_(None))


@dataclass(frozen=True)
class EnrolmentStatus:
    """One person's current duty under one assignment, with its status as the database computed it."""

    enrolment_id: int
    assignment_id: int
    person_id: int
    module_slug: str
    cycle: int
    due_on: date
    status: str
    started: bool
    completed_at: datetime | None
    completion_version: str | None
    counts_from: datetime | None = None

    @property
    def is_repeat(self) -> bool:
        """An open later cycle of a recurring assignment: done before, to be done again by due_on."""
        return self.cycle > 0 and self.completed_at is None

    @property
    def last_completed_at(self) -> datetime | None:
        """When this cycle was fulfilled, or for an open repeat when the previous one was."""
        return self.completed_at or self.counts_from

    @property
    def progress(self) -> str:
        """completed, in_progress or not_started, for the learner's view of the module."""
        if self.status == COMPLETED:
            return "completed"
        return "in_progress" if self.started else "not_started"


def current_enrolments(
    session: Session, today: date, person_ids: Select[Any] | Collection[int]
) -> list[EnrolmentStatus]:
    """The current enrolments of these people (a list of ids or a SELECT of ids), by person, then due date."""
    started = (
        select(LessonProgress.id)
        .where(LessonProgress.person_id == Enrolment.person_id, LessonProgress.module_slug == Assignment.module_slug)
        .exists()
    )
    ids = person_ids if isinstance(person_ids, Select) else list(person_ids)
    rows = session.execute(
        select(
            Enrolment.id,
            Enrolment.assignment_id,
            Enrolment.person_id,
            Assignment.module_slug,
            Enrolment.cycle,
            Enrolment.due_on,
            status_expression(today),
            started,
            Enrolment.completed_at,
            Enrolment.completion_version,
            Enrolment.counts_from,
        )
        .join(Assignment, Assignment.id == Enrolment.assignment_id)
        .where(Enrolment.person_id.in_(ids), _is_current())
        .order_by(Enrolment.person_id, Enrolment.due_on, Assignment.module_slug)
    )
    return [
        EnrolmentStatus(
            enrolment_id=row[0],
            assignment_id=row[1],
            person_id=row[2],
            module_slug=row[3],
            cycle=row[4],
            due_on=row[5],
            status=row[6],
            started=bool(row[7]),
            completed_at=row[8],
            completion_version=row[9],
            counts_from=row[10],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class StatusCounts:
    """People with a current enrolment in one assignment, by status."""

    enrolled: int = 0
    completed: int = 0
    overdue: int = 0
    due_soon: int = 0

    @property
    def open(self) -> int:
        return self.enrolled - self.completed - self.overdue - self.due_soon


def counts_by_assignment(session: Session, today: date, assignment_ids: Collection[int]) -> dict[int, StatusCounts]:
    """Status counts per assignment, aggregated in the database."""
    if not assignment_ids:
        return {}
    status = status_expression(today)
    rows = session.execute(
        select(
            Enrolment.assignment_id,
            func.count(Enrolment.id),
            func.count(Enrolment.id).filter(status == COMPLETED),
            func.count(Enrolment.id).filter(status == OVERDUE),
            func.count(Enrolment.id).filter(status == DUE_SOON),
        )
        .where(Enrolment.assignment_id.in_(list(assignment_ids)), _latest_kept())
        .group_by(Enrolment.assignment_id)
    )
    return {row[0]: StatusCounts(*row[1:]) for row in rows}


def _latest_kept() -> ColumnElement[bool]:
    """The latest cycle not withdrawn: what a person achieved or owes under an assignment, ended or running."""
    later = aliased(Enrolment, name="later_cycle")
    return and_(
        Enrolment.withdrawn_at.is_(None),
        ~select(later.id)
        .where(
            later.assignment_id == Enrolment.assignment_id,
            later.person_id == Enrolment.person_id,
            later.cycle > Enrolment.cycle,
            later.withdrawn_at.is_(None),
        )
        .exists(),
    )
