"""Completion per organisation unit and module: one GROUP BY over the duties in effect, rolled up the tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from ...content import Catalog
from ...models import Assignment, Enrolment, Exemption, OrganisationUnit, Person
from .. import exemptions
from .duties import duty_state
from .filters import ReportFilters
from .scope import ReportScope, assignments_in_effect, tree_units
from .suppression import COLUMNS, Cell, Counts, Hidden, Part, TreeCounts, suppress


@dataclass(frozen=True)
class Figure:
    """One cell as shown: its value, or why it is hidden."""

    value: int | None
    hidden: Hidden | None = None


@dataclass(frozen=True)
class Row:
    """One line of the table: a unit's total, the people directly in it, or a unit below it."""

    unit: OrganisationUnit
    part: Part
    figures: dict[str, Figure]
    is_child: bool

    @property
    def rate(self) -> Figure:
        """Completed / assigned, in percent; hidden when either is."""
        assigned, completed = self.figures["assigned"], self.figures["completed"]
        if assigned.hidden is Hidden.SMALL:
            return Figure(None, Hidden.SMALL)
        if assigned.hidden or completed.hidden:
            return Figure(None, Hidden.COMPLEMENT)
        if not assigned.value:
            return Figure(None)
        return Figure(round(100 * (completed.value or 0) / assigned.value))


@dataclass(frozen=True)
class ModuleTable:
    module_slug: str
    rows: list[Row]


@dataclass(frozen=True)
class CompletionTable:
    """The completion report for one unit: per module its total, its own people and the units below it."""

    scope: ReportScope
    filters: ReportFilters
    day: date
    k: int
    modules: list[ModuleTable]
    breadcrumbs: list[OrganisationUnit] = field(default_factory=list)


def direct_counts(
    session: Session, scope: ReportScope, filters: ReportFilters, today: date
) -> dict[tuple[int, str], Counts]:
    """(unit id, module) → counts of the duties of people directly in that unit, for the scope root's subtree."""
    day, moment = filters.day(today), filters.moment(today)
    modules = assignments_in_effect(session, filters, today, moment)
    if not modules:
        return {}
    result: dict[tuple[int, str], Counts] = {}
    for unit_id, assignment_id, *numbers in session.execute(_grouped(Enrolment, scope, filters, today, modules)):
        result.setdefault((unit_id, modules[assignment_id]), Counts()).add(Counts(*numbers))
    # The exempted duties, counted the same way from the few people with an exemption, come off and are shown apart.
    duty = aliased(Enrolment, name="duty")
    exempt = _grouped(duty, scope, filters, today, modules).where(
        duty.person_id.in_(select(Exemption.person_id).where(exemptions.applying(day, moment))),
        exemptions.active_at(duty.person_id, Assignment.module_slug, day, moment),
    )
    for unit_id, assignment_id, *numbers in session.execute(
        exempt.join(Assignment, Assignment.id == duty.assignment_id)
    ):
        counts = result.setdefault((unit_id, modules[assignment_id]), Counts())
        part = Counts(*numbers)
        counts.subtract(part)
        counts.exempted += part.assigned
    return result


def _grouped(row: Any, scope: ReportScope, filters: ReportFilters, today: date, modules: dict[int, str]) -> Select[Any]:
    """Counts per (unit, assignment) of the duties in effect of enrolment rows `row` (the table or an alias)."""
    day, moment = filters.day(today), filters.moment(today)
    state = duty_state(row, day, moment, now=filters.is_now(today))
    query = (
        select(
            row.organisation_id,
            row.assignment_id,
            func.count(),
            func.count().filter(state.started),
            func.count().filter(state.completed),
            func.count().filter(state.on_time),
            func.count().filter(state.overdue),
            func.count().filter(state.not_yet_due),
        )
        .where(
            state.in_effect,
            row.assignment_id.in_(list(modules)),
            row.organisation_id.in_(
                select(OrganisationUnit.id).where(OrganisationUnit.path.startswith(scope.root.path, autoescape=True))
            ),
        )
        .group_by(row.organisation_id, row.assignment_id)
    )
    if filters.audience == "managers":
        query = query.where(row.person_id.in_(select(Person.id).where(Person.is_manager.is_(True))))
    if filters.due_from is not None:
        query = query.where(row.due_on >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(row.due_on <= filters.due_to)
    return query


def roll_up(units: dict[int, OrganisationUnit], direct: dict[int, Counts]) -> TreeCounts:
    """Totals per unit: its own counts plus those of every unit below it (by the materialised path)."""
    total = {unit_id: Counts() for unit_id in units}
    for unit_id, counts in direct.items():
        for ancestor in units[unit_id].path.strip("/").split("/"):
            if int(ancestor) in total:
                total[int(ancestor)].add(counts)
    root_ids = {unit_id for unit_id, unit in units.items() if unit.parent_id not in units}
    parents = {unit_id: (None if unit_id in root_ids else unit.parent_id) for unit_id, unit in units.items()}
    return TreeCounts(parents=parents, direct={u: direct.get(u, Counts()) for u in units}, total=total)


def _module_trees(
    session: Session, catalog: Catalog, scope: ReportScope, filters: ReportFilters, today: date, k: int
) -> tuple[dict[int, OrganisationUnit], list[tuple[str, TreeCounts, dict[Cell, Hidden]]]]:
    """The scope root's units, and per module with duties (in catalogue order) its rolled-up tree and hidden cells."""
    units = tree_units(session, scope.root)
    counts = direct_counts(session, scope, filters, today)
    slugs = [slug for slug in catalog.modules if slug in {module for _unit, module in counts}]
    trees = []
    for slug in slugs:
        tree = roll_up(units, {unit: c for (unit, module), c in counts.items() if module == slug})
        trees.append((slug, tree, suppress(tree, k)))
    return units, trees


def completion_table(
    session: Session, catalog: Catalog, scope: ReportScope, filters: ReportFilters, today: date, k: int
) -> CompletionTable:
    """The table for the scope's unit: per module the unit's total, its own people and each unit below it."""
    units, trees = _module_trees(session, catalog, scope, filters, today, k)
    tables = []
    for slug, tree, hidden in trees:
        unit = scope.unit
        rows = [
            _row(unit, Part.TOTAL, tree.total[unit.id], hidden, is_child=False),
            _row(unit, Part.DIRECT, tree.direct[unit.id], hidden, is_child=False),
        ]
        children = sorted((u for u in units.values() if u.parent_id == unit.id), key=lambda u: (u.name, u.code))
        rows += [_row(child, Part.TOTAL, tree.total[child.id], hidden, is_child=True) for child in children]
        tables.append(ModuleTable(slug, rows))
    return CompletionTable(
        scope=scope,
        filters=filters,
        day=filters.day(today),
        k=k,
        modules=tables,
        breadcrumbs=scope.breadcrumbs(units),
    )


@dataclass(frozen=True)
class UnitTotals:
    """Per module, the total row of the scope's unit and of each unit up to `levels` below it (the departmental
    report); cells hidden exactly as on the completion page, since the decision covers the same tree."""

    units: list[tuple[OrganisationUnit, int]]  # in tree order, with the level below the scope's unit (0: itself)
    modules: dict[str, dict[int, Row]]  # module slug → unit id → its total row


def totals_below(
    session: Session,
    catalog: Catalog,
    scope: ReportScope,
    filters: ReportFilters,
    today: date,
    k: int,
    levels: int,
) -> UnitTotals:
    """The totals of the scope's unit and the units up to `levels` below it, for every module with duties."""
    units, trees = _module_trees(session, catalog, scope, filters, today, k)
    children: dict[int | None, list[OrganisationUnit]] = {}
    for unit in units.values():
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[OrganisationUnit, int]] = []

    def visit(unit: OrganisationUnit, level: int) -> None:
        ordered.append((unit, level))
        if level < levels:
            for child in sorted(children.get(unit.id, []), key=lambda u: (u.name, u.code)):
                visit(child, level + 1)

    visit(scope.unit, 0)
    modules = {
        slug: {
            unit.id: _row(unit, Part.TOTAL, tree.total[unit.id], hidden, is_child=level > 0) for unit, level in ordered
        }
        for slug, tree, hidden in trees
    }
    return UnitTotals(units=ordered, modules=modules)


def _row(unit: OrganisationUnit, part: Part, counts: Counts, hidden: dict[Cell, Hidden], *, is_child: bool) -> Row:
    figures = {}
    for column in COLUMNS:
        why = hidden.get((unit.id, part, column))
        figures[column] = Figure(None if why else getattr(counts, column), why)
    return Row(unit=unit, part=part, figures=figures, is_child=is_child)
