"""Person-level lists for follow-up: who still has to complete what, and the full export of every duty in scope.

They show completion status, dates, content version and assessment pass/fail only: never answers, scenario choices
or reflections (HR may see individuals in its scope; it does not see what they answered). Lines leave the database
as the cells that the page and the downloads show: labels in the reader's language, text neutralised against
spreadsheet formulas, dates as ISO text, days overdue. An export of millions of lines then costs no Python per cell.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Select, String, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from ...models import AssessmentAttempt, Assignment, Enrolment, OrganisationUnit, Person
from .. import exemptions
from ..sql_dates import days_between, utc_date
from .duties import DutyState, duty_state
from .exports import FORMULA_STARTS, Cell, neutralise
from .filters import OPEN_STATUSES, ReportFilters
from .scope import ReportScope, assignments_in_effect

PAGE_SIZE = 50
STREAM_BATCH = 2_000

_duty = aliased(Enrolment, name="duty")
_unit = aliased(OrganisationUnit, name="unit")


@dataclass(frozen=True)
class DutyWords:
    """What the cells say in the reader's language: module titles by slug, status names, yes/no, passed/failed."""

    modules: Mapping[str, str]
    statuses: Mapping[str, str]  # completed, overdue, in_progress, not_started, exempted
    yes: str
    no: str
    passed: str
    failed: str


@dataclass(frozen=True)
class PeoplePage:
    """A page of the follow-up list: a line of cells per duty, in the export's columns without "in effect"."""

    scope: ReportScope
    filters: ReportFilters
    day: date
    lines: list[Sequence[Cell]]
    page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _word(text: str) -> ColumnElement[str]:
    return literal(str(neutralise(text)), String)


def _safe(column: Any) -> ColumnElement[str]:
    """Text as a spreadsheet must read it: with a leading apostrophe when it would start a formula."""
    return case((func.substr(column, 1, 1).in_(FORMULA_STARTS), literal("'", String) + column), else_=column)


def _assessment_result(moment: datetime, words: DutyWords) -> ColumnElement[str]:
    """passed / failed from the attempts handed in during this duty's cycle, before the report's moment."""
    attempts = select(AssessmentAttempt.id).where(
        AssessmentAttempt.person_id == _duty.person_id,
        AssessmentAttempt.module_slug == Assignment.module_slug,
        AssessmentAttempt.submitted_at.is_not(None),
        AssessmentAttempt.submitted_at < moment,
        or_(_duty.counts_from.is_(None), AssessmentAttempt.submitted_at > _duty.counts_from),
    )
    return case(
        (attempts.where(AssessmentAttempt.passed.is_(True)).exists(), _word(words.passed)),
        (attempts.exists(), _word(words.failed)),
        else_=literal("", String),
    )


def duties_query(
    session: Session,
    scope: ReportScope,
    filters: ReportFilters,
    today: date,
    words: DutyWords,
    *,
    statuses: tuple[str, ...] | None,
) -> Select[Any] | None:
    """The SELECT behind both lists (None when no assignment applies): a line of cells per duty.

    Columns: employee number, name, unit code, unit, module, cycle (from 1), due date, status, started, completed,
    on time, content version, assessment, days overdue, and with `filters.history` whether the duty is in effect.
    """
    day, moment = filters.day(today), filters.moment(today)
    modules = assignments_in_effect(session, filters, today, moment)
    if not modules:
        return None
    state: DutyState = duty_state(_duty, day, moment, now=False)
    exempted = exemptions.exempted_pairs(day, moment)
    exempt = exempted.c.person_id.is_not(None)
    completed_then = _duty.completed_at < moment
    titles = {slug: _word(title) for slug, title in words.modules.items()}
    yes, no, blank = _word(words.yes), _word(words.no), literal("", String)
    columns = [
        _safe(func.coalesce(Person.employee_number, blank)),
        _safe(Person.name),
        _safe(_unit.code),
        _safe(_unit.name),
        case(titles, value=Assignment.module_slug, else_=Assignment.module_slug) if titles else Assignment.module_slug,
        _duty.cycle + 1,
        cast(_duty.due_on, String),
        case((exempt, _word(words.statuses["exempted"])), else_=state.status(words.statuses)),
        case((_duty.started_at < moment, cast(utc_date(_duty.started_at), String)), else_=None),
        case((completed_then, cast(utc_date(_duty.completed_at), String)), else_=None),
        case((or_(~state.completed, exempt), blank), (state.on_time, yes), else_=no),
        func.coalesce(case((completed_then, _duty.completion_version), else_=None), blank),  # a content hash
        _assessment_result(moment, words),
        case((and_(state.overdue, ~exempt), days_between(literal(day, Date), _duty.due_on)), else_=0),
    ]
    if filters.history:
        columns.append(case((state.in_effect, yes), else_=no))
    query = (
        select(*columns)
        .select_from(_duty)
        .join(Person, Person.id == _duty.person_id)
        .join(_unit, _unit.id == _duty.organisation_id)
        .join(Assignment, Assignment.id == _duty.assignment_id)
        .outerjoin(
            exempted, and_(exempted.c.person_id == _duty.person_id, exempted.c.module_slug == Assignment.module_slug)
        )
        .where(_duty.assignment_id.in_(list(modules)), _unit.path.startswith(scope.unit.path, autoescape=True))
    )
    if filters.history:
        query = query.where(_duty.enrolled_at < moment, _duty.is_primary.is_(True))
    else:
        query = query.where(state.in_effect)
    if filters.audience == "managers":
        query = query.where(Person.is_manager.is_(True))
    if filters.due_from is not None:
        query = query.where(_duty.due_on >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(_duty.due_on <= filters.due_to)
    wanted = (filters.status,) if filters.status else statuses
    if wanted is not None:
        conditions = {
            "completed": state.completed,
            "overdue": state.overdue,
            "not_yet_due": state.not_yet_due,
            "in_progress": and_(~state.completed, state.started),
            "not_started": and_(~state.completed, ~state.started),
            "open": ~state.completed,
        }
        if "exempted" in wanted:
            query = query.where(exempt)
        else:  # the exempted owe nothing
            query = query.where(or_(*(conditions[name] for name in wanted)), ~exempt)
    return query


def outstanding(
    session: Session, scope: ReportScope, filters: ReportFilters, today: date, words: DutyWords, page: int = 1
) -> PeoplePage:
    """People in scope who have not completed a duty in effect: most overdue first, a page at a time."""
    query = duties_query(session, scope, filters, today, words, statuses=OPEN_STATUSES)
    day = filters.day(today)
    if query is None:
        return PeoplePage(scope, filters, day, [], 1, 0)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = min(max(page, 1), max(1, -(-total // PAGE_SIZE)))
    rows = session.execute(
        query.order_by(_duty.due_on, _unit.code, Person.name, Assignment.module_slug, _duty.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return PeoplePage(scope, filters, day, [tuple(row) for row in rows], page, total)


def export_query(
    session: Session, scope: ReportScope, filters: ReportFilters, today: date, words: DutyWords
) -> Select[Any] | None:
    """The export's statement: every duty in scope, in the order of the unit tree and names."""
    query = duties_query(session, scope, filters, today, words, statuses=None)
    if query is None:
        return None
    return query.order_by(_unit.path, Person.name, _duty.person_id, Assignment.module_slug, _duty.cycle)


def every_duty(
    session: Session, scope: ReportScope, filters: ReportFilters, today: date, words: DutyWords
) -> Iterator[Sequence[Cell]]:
    """Every duty in scope for the export as lines of cells, streamed from the database in batches (constant memory)."""
    ordered = export_query(session, scope, filters, today, words)
    if ordered is None:
        return
    # Core on the session's connection: the ORM's per-statement machinery buys nothing for plain columns.
    options = {"yield_per": STREAM_BATCH, "stream_results": True}  # this statement only, not the connection
    result = session.connection().execute(ordered, execution_options=options)
    for batch in result.partitions():
        yield from batch
