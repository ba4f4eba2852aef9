"""The departmental report: a one-page summary of a ministry (or the part of it in HR's scope) for the yearly report
on the approach to discrimination and racism: people reached, completion per unit, and the trend per quarter.

It reuses the other reports' parts: the scope (`scope.py`), the completion roll-up and its small-group suppression
(`rollup.py`, `suppression.py`), and the suppression of a series (`trend.py`). See docs/reporting.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ...content import Catalog
from ...models import OrganisationUnit, Person
from .filters import ReportFilters, parse_filters
from .period import Period, Quarter, parse_period
from .reach import reached
from .rollup import Figure, Row, totals_below
from .scope import ReportScope, report_scope
from .suppression import Hidden
from .trend import suppress_series

LEVELS = 2  # units one and two levels below the report's unit


@dataclass(frozen=True)
class UnitLine:
    """One unit of the report: per module (slug) its total row; a module without duties in the tree is absent."""

    unit: OrganisationUnit
    level: int
    rows: Mapping[str, Row]


@dataclass(frozen=True)
class QuarterLine:
    quarter: Quarter
    people: Figure
    bystander: Figure | None


@dataclass(frozen=True)
class DepartmentalReport:
    scope: ReportScope
    period: Period
    day: date  # the completion rates are as of the end of this day: the period's last, or today
    k: int
    bystander: str | None  # the bystander module's slug, when the catalogue has it
    people: Figure  # reached by the e-learning (any module)
    people_bystander: Figure | None
    modules: list[str]  # modules with duties in the tree, in catalogue order
    units: list[UnitLine]
    quarters: list[QuarterLine]

    @property
    def filters(self) -> ReportFilters:
        """The filters of the other reports for the same unit and day (for links and the audit log)."""
        return ReportFilters(unit_id=self.scope.unit.id, as_of=self.day)


@dataclass(frozen=True)
class DepartmentalQuery:
    """What HR asked for: the unit (None: the viewer's first scope) and the period."""

    filters: ReportFilters
    period: Period


def parse_query(args: Mapping[str, str], catalog: Catalog, today: date) -> DepartmentalQuery:
    """The unit (`unit`) and the period (`from`, `to`); InvalidInput names a value that is not valid."""
    unit = parse_filters({"unit": args.get("unit", "")}, catalog, today)
    period = parse_period(args, today)
    as_of = period.last if period.last < today else None
    return DepartmentalQuery(ReportFilters(unit_id=unit.unit_id, as_of=as_of), period)


def _small(value: int, k: int) -> Figure:
    return Figure(None, Hidden.SMALL) if 0 < value < k else Figure(value)


def departmental_report(
    session: Session, catalog: Catalog, viewer: Person, asked: DepartmentalQuery, today: date, k: int, bystander: str
) -> DepartmentalReport:
    """The report on the asked unit's subtree, if it lies in the viewer's scope (Forbidden/NotFound otherwise)."""
    scope = report_scope(session, viewer, asked.filters)
    slug = bystander if catalog.module(bystander) is not None else None
    counts = reached(session, scope, asked.period, slug)
    totals = totals_below(session, catalog, scope, asked.filters, today, k, LEVELS)
    units = [
        UnitLine(unit, level, {module: rows[unit.id] for module, rows in totals.modules.items()})
        for unit, level in totals.units
        if unit.closed_at is None
        or any(rows[unit.id].figures["assigned"].value != 0 for rows in totals.modules.values())
    ]
    people = [figures[0] for figures in counts.per_quarter]
    by_bystander = [figures[1] for figures in counts.per_quarter]
    hidden_people, hidden_bystander = suppress_series(people, k), suppress_series(by_bystander, k)
    quarters = [
        QuarterLine(
            quarter,
            _series_figure(people, hidden_people, number),
            _series_figure(by_bystander, hidden_bystander, number) if slug else None,
        )
        for number, quarter in enumerate(asked.period.quarters())
    ]
    return DepartmentalReport(
        scope=scope,
        period=asked.period,
        day=asked.filters.day(today),
        k=k,
        bystander=slug,
        people=_small(counts.people, k),
        people_bystander=_small(counts.bystander, k) if slug else None,
        modules=list(totals.modules),
        units=units,
        quarters=quarters,
    )


def _series_figure(values: list[int], hidden: Mapping[int, Hidden], number: int) -> Figure:
    why = hidden.get(number)
    return Figure(None, why) if why else Figure(values[number])
