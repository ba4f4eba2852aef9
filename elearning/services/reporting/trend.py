"""Completions per week for a report's scope: counted in SQL, small weeks suppressed like every other cell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.orm import Session

from ...models import Enrolment, Person
from ..sql_dates import days_between, utc_date
from .filters import ReportFilters
from .scope import ReportScope, assignments_in_effect
from .suppression import Hidden

WEEKS = 26


@dataclass(frozen=True)
class Week:
    start: date
    completions: int | None  # None when hidden
    hidden: Hidden | None = None

    @property
    def number(self) -> int:
        return self.start.isocalendar().week


@dataclass(frozen=True)
class Trend:
    scope: ReportScope
    filters: ReportFilters
    day: date
    k: int
    weeks: list[Week]

    @property
    def highest(self) -> int:
        return max((week.completions or 0 for week in self.weeks), default=0)


def weekly_completions(
    session: Session, scope: ReportScope, filters: ReportFilters, today: date, k: int, weeks: int = WEEKS
) -> Trend:
    """Duties completed per ISO week (Monday to Sunday, UTC) in the `weeks` weeks up to the report's day."""
    day, moment = filters.day(today), filters.moment(today)
    first = day - timedelta(days=day.weekday()) - timedelta(weeks=weeks - 1)
    modules = assignments_in_effect(session, filters, today, moment)
    counts: dict[int, int] = {}
    if modules:
        week = (days_between(utc_date(Enrolment.completed_at), bindparam("first", first)) // literal(7)).label("week")
        query = (
            select(week, func.count())
            .where(
                Enrolment.is_primary.is_(True),
                Enrolment.assignment_id.in_(list(modules)),
                Enrolment.organisation_id.in_(scope.unit_ids()),
                Enrolment.completed_at >= bindparam("since", _midnight(first)),
                Enrolment.completed_at < moment,
            )
            .group_by(week)
        )
        if filters.audience == "managers":
            query = query.where(Enrolment.person_id.in_(select(Person.id).where(Person.is_manager.is_(True))))
        counts = {int(index): int(number) for index, number in session.execute(query) if index is not None}
    values = [counts.get(index, 0) for index in range(weeks)]
    hidden = suppress_series(values, k)
    return Trend(
        scope=scope,
        filters=filters,
        day=day,
        k=k,
        weeks=[
            Week(first + timedelta(weeks=index), None if index in hidden else value, hidden.get(index))
            for index, value in enumerate(values)
        ],
    )


def suppress_series(values: list[int], k: int) -> dict[int, Hidden]:
    """Periods (weeks, quarters) with 1 to k-1 are hidden; a lone hidden period takes the smallest other with it.

    The completions over the whole period follow from two completion tables (as of its first and last day), and the
    departmental report shows the people reached over its whole period, so one hidden week or quarter alone could be
    derived from the others.
    """
    hidden = {index: Hidden.SMALL for index, value in enumerate(values) if 0 < value < k}
    if len(hidden) == 1:
        visible = [index for index in range(len(values)) if index not in hidden]
        if visible:
            hidden[min(visible, key=lambda index: (values[index], index))] = Hidden.COMPLEMENT
    return hidden


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)
