"""Person-level lists for follow-up: who still has to complete what, and the full export of every duty in scope.

They show completion status, dates, content version and assessment pass/fail only: never answers, scenario choices
or reflections (HR may see individuals in its scope; it does not see what they answered).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, String, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from ...models import AssessmentAttempt, Assignment, Enrolment, OrganisationUnit, Person
from .. import exemptions
from ..sql_dates import utc_date
from .duties import DutyState, duty_state
from .filters import OPEN_STATUSES, ReportFilters
from .scope import ReportScope, assignments_in_effect

PAGE_SIZE = 50
STREAM_BATCH = 2_000

_duty = aliased(Enrolment, name="duty")
_unit = aliased(OrganisationUnit, name="unit")


@dataclass(frozen=True)
class PersonDuty:
    """One person's duty as a report line."""

    employee_number: str | None
    name: str
    unit_code: str
    unit_name: str
    module_slug: str
    cycle: int
    due_on: date
    status: str
    started_on: date | None
    completed_on: date | None
    on_time: bool
    content_version: str | None
    assessment: str | None  # "passed", "failed" or None (no assessment, or not tried)
    in_effect: bool

    def days_overdue(self, day: date) -> int:
        return (day - self.due_on).days if self.status == "overdue" else 0


@dataclass(frozen=True)
class PeoplePage:
    scope: ReportScope
    filters: ReportFilters
    day: date
    people: list[PersonDuty]
    page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _assessment_result(moment: datetime) -> Any:
    """passed / failed from the attempts handed in during this duty's cycle, before the report's moment."""
    attempts = select(AssessmentAttempt.id).where(
        AssessmentAttempt.person_id == _duty.person_id,
        AssessmentAttempt.module_slug == Assignment.module_slug,
        AssessmentAttempt.submitted_at.is_not(None),
        AssessmentAttempt.submitted_at < moment,
        or_(_duty.counts_from.is_(None), AssessmentAttempt.submitted_at > _duty.counts_from),
    )
    return case(
        (attempts.where(AssessmentAttempt.passed.is_(True)).exists(), literal("passed")),
        (attempts.exists(), literal("failed")),
        else_=literal(None),
    )


def duties_query(
    session: Session,
    scope: ReportScope,
    filters: ReportFilters,
    today: date,
    *,
    statuses: tuple[str, ...] | None,
    as_text: bool = False,
) -> Select[Any] | None:
    """The SELECT behind both lists (None when no assignment applies); rows in PersonDuty's field order.

    `as_text`: dates as ISO text and flags as 0/1, as a CSV writes them, so that no value is converted per row.
    """
    day, moment = filters.day(today), filters.moment(today)
    modules = assignments_in_effect(session, filters, today, moment)
    if not modules:
        return None
    state: DutyState = duty_state(_duty, day, moment, now=False)
    exempt = exemptions.active_at(_duty.person_id, Assignment.module_slug, day, moment)
    status = case((exempt, literal("exempted")), else_=state.status())

    def day_of(value: Any) -> Any:
        return cast(value, String) if as_text else value

    def flag(value: Any) -> Any:
        return case((value, 1), else_=0) if as_text else value

    query = (
        select(
            Person.employee_number,
            Person.name,
            _unit.code,
            _unit.name,
            Assignment.module_slug,
            _duty.cycle,
            day_of(_duty.due_on),
            status,
            case((_duty.started_at < moment, day_of(utc_date(_duty.started_at))), else_=None),
            case((_duty.completed_at < moment, day_of(utc_date(_duty.completed_at))), else_=None),
            flag(state.on_time),
            case((_duty.completed_at < moment, _duty.completion_version), else_=None),
            _assessment_result(moment),
            flag(state.in_effect),
        )
        .select_from(_duty)
        .join(Person, Person.id == _duty.person_id)
        .join(_unit, _unit.id == _duty.organisation_id)
        .join(Assignment, Assignment.id == _duty.assignment_id)
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


def outstanding(session: Session, scope: ReportScope, filters: ReportFilters, today: date, page: int = 1) -> PeoplePage:
    """People in scope who have not completed a duty in effect: most overdue first, a page at a time."""
    query = duties_query(session, scope, filters, today, statuses=OPEN_STATUSES)
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
    return PeoplePage(scope, filters, day, [_duty_of(row) for row in rows], page, total)


def every_duty(session: Session, scope: ReportScope, filters: ReportFilters, today: date) -> Iterator[tuple[Any, ...]]:
    """Every duty in scope for the export, streamed from the database in batches (constant memory).

    Rows are tuples in PersonDuty's field order with dates as ISO text (no object or conversion per row: an export
    can have millions).
    """
    query = duties_query(session, scope, filters, today, statuses=None, as_text=True)
    if query is None:
        return
    ordered = query.order_by(_unit.path, Person.name, _duty.person_id, Assignment.module_slug, _duty.cycle)
    # Core on the session's connection: the ORM's per-statement machinery buys nothing for plain columns.
    options = {"yield_per": STREAM_BATCH, "stream_results": True}  # this statement only, not the connection
    result = session.connection().execute(ordered, execution_options=options)
    for batch in result.partitions():
        yield from batch


def _duty_of(row: Any) -> PersonDuty:
    number, name, code, unit, module, cycle, due_on, status, started, completed, on_time, version, result, effect = row
    return PersonDuty(
        number,
        name,
        code,
        unit,
        module,
        cycle,
        due_on,
        status,
        started,
        completed,
        bool(on_time),
        version,
        result,
        bool(effect),
    )
