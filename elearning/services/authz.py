"""Who may see what: every authorisation decision of the app is made here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import OrganisationUnit, Person, Role
from .errors import Forbidden, NotFound


def require_role(person: Person, role: Role) -> None:
    if not person.has_role(role):
        raise Forbidden(f"role {role.value} required")


def hr_scopes(session: Session, person: Person) -> list[OrganisationUnit]:
    """The organisation units whose subtrees this person may report on (admins: every root)."""
    if person.has_role(Role.ADMIN):
        return list(session.scalars(select(OrganisationUnit).where(OrganisationUnit.parent_id.is_(None))))
    unit_ids = [g.organisation_id for g in person.roles if g.role == Role.HR and g.organisation_id is not None]
    if not unit_ids:
        return []
    return list(session.scalars(select(OrganisationUnit).where(OrganisationUnit.id.in_(unit_ids))))


def reportable_unit(session: Session, person: Person, unit_id: int | None) -> OrganisationUnit:
    """The unit `person` asked to report on, if it lies within one of their scopes; else Forbidden/NotFound."""
    scopes = hr_scopes(session, person)
    if not scopes:
        raise Forbidden("no reporting scope")
    if unit_id is None:
        return scopes[0]
    unit = session.get(OrganisationUnit, unit_id)
    if unit is None:
        raise NotFound("organisation unit")
    if not any(unit.path.startswith(scope.path) for scope in scopes):
        raise Forbidden("unit outside your scope")
    return unit


def may_report(person: Person) -> bool:
    """Whether to offer the reports at all (which units is decided per request by reportable_unit)."""
    return person.has_role(Role.HR) or person.has_role(Role.ADMIN)


def may_author(person: Person) -> bool:
    """Whether to offer the content preview."""
    return person.has_role(Role.AUTHOR) or person.has_role(Role.ADMIN)


def may_lead_team(person: Person) -> bool:
    """Whether to offer the team page: a manager on the roster, or granted the manager role for a unit."""
    return person.is_manager or person.has_role(Role.MANAGER)


def may_administer(person: Person) -> bool:
    """Whether to offer the administration pages."""
    return person.has_role(Role.ADMIN)
