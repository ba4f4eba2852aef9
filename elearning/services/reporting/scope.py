"""Which part of the organisation tree a report covers: the viewer's scope that holds the unit asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ...models import Assignment, OrganisationUnit, Person
from ..authz import hr_scopes, reportable_unit
from .filters import ReportFilters


@dataclass(frozen=True)
class ReportScope:
    """The unit reported on, the scope root above it (suppression is decided over the root's whole tree)."""

    unit: OrganisationUnit
    root: OrganisationUnit
    scopes: list[OrganisationUnit]

    def unit_ids(self) -> Select[int]:
        """SELECT of the ids of the unit and everything below it (one range scan of the path index)."""
        return select(OrganisationUnit.id).where(OrganisationUnit.path.startswith(self.unit.path, autoescape=True))

    def breadcrumbs(self, units: dict[int, OrganisationUnit]) -> list[OrganisationUnit]:
        """The units from the scope root down to the unit, for navigation."""
        ids = [int(part) for part in self.unit.path.strip("/").split("/")]
        start = ids.index(self.root.id)
        return [units[unit_id] for unit_id in ids[start:] if unit_id in units]


def report_scope(session: Session, viewer: Person, filters: ReportFilters) -> ReportScope:
    """The scope for `filters.unit_id` (default: the viewer's first); Forbidden outside the viewer's scopes."""
    unit = reportable_unit(session, viewer, filters.unit_id)
    scopes = hr_scopes(session, viewer)
    root = max((scope for scope in scopes if unit.path.startswith(scope.path)), key=lambda scope: len(scope.path))
    return ReportScope(unit=unit, root=root, scopes=scopes)


def tree_units(session: Session, root: OrganisationUnit) -> dict[int, OrganisationUnit]:
    """Every unit of the root's subtree, by id."""
    query = select(OrganisationUnit).where(OrganisationUnit.path.startswith(root.path, autoescape=True))
    return {unit.id: unit for unit in session.scalars(query)}


def assignments_in_effect(session: Session, filters: ReportFilters, today: date, moment: datetime) -> dict[int, str]:
    """Assignment id → module slug of the assignments a report counts: running at its moment, of its module."""
    query = select(Assignment.id, Assignment.module_slug).where(Assignment.created_at < moment)
    if filters.is_now(today):
        query = query.where(Assignment.ended_at.is_(None))
    else:
        query = query.where((Assignment.ended_at.is_(None)) | (Assignment.ended_at >= moment))
    if filters.module_slug is not None:
        query = query.where(Assignment.module_slug == filters.module_slug)
    return {row.id: row.module_slug for row in session.execute(query)}
