"""Completion counts per organisation subtree, aggregated in SQL and scoped to what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..content import Catalog
from ..models import ModuleCompletion, OrganisationUnit, Person
from .authz import hr_scopes, reportable_unit


@dataclass(frozen=True)
class CompletionRow:
    """People expected to take a module within a subtree, and how many of them completed it."""

    module_slug: str
    people: int
    completed: int

    @property
    def rate(self) -> float | None:
        return self.completed / self.people if self.people else None


@dataclass(frozen=True)
class CompletionReport:
    """The report for one unit: its rows, its child units to drill into, and the viewer's scopes."""

    unit: OrganisationUnit
    rows: list[CompletionRow]
    children: list[OrganisationUnit]
    scopes: list[OrganisationUnit]


def completion_report(
    session: Session, catalog: Catalog, viewer: Person, unit_id: int | None = None
) -> CompletionReport:
    """Completion per module for the unit's whole subtree; Forbidden outside the viewer's scope."""
    unit = reportable_unit(session, viewer, unit_id)
    in_subtree = and_(
        Person.active.is_(True),
        OrganisationUnit.path.startswith(unit.path, autoescape=True),
    )
    everyone, managers = session.execute(
        select(func.count(Person.id), func.count(Person.id).filter(Person.is_manager.is_(True)))
        .select_from(Person)
        .join(OrganisationUnit, Person.organisation_id == OrganisationUnit.id)
        .where(in_subtree)
    ).one()
    completed: dict[tuple[str, bool], int] = {
        (slug, bool(is_manager)): count
        for slug, is_manager, count in session.execute(
            select(ModuleCompletion.module_slug, Person.is_manager, func.count(func.distinct(Person.id)))
            .join(Person, Person.id == ModuleCompletion.person_id)
            .join(OrganisationUnit, Person.organisation_id == OrganisationUnit.id)
            .where(in_subtree)
            .group_by(ModuleCompletion.module_slug, Person.is_manager)
        )
    }
    rows = []
    for module in catalog.modules.values():
        # Until assignments exist, a module is expected of everyone in its audience.
        by_managers = completed.get((module.slug, True), 0)
        if module.audience == "managers":
            rows.append(CompletionRow(module.slug, managers, by_managers))
        else:
            rows.append(CompletionRow(module.slug, everyone, by_managers + completed.get((module.slug, False), 0)))
    children = list(
        session.scalars(
            select(OrganisationUnit).where(OrganisationUnit.parent_id == unit.id).order_by(OrganisationUnit.name)
        )
    )
    return CompletionReport(unit=unit, rows=rows, children=children, scopes=hr_scopes(session, viewer))

