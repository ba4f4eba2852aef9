"""Who manages whom: a roster manager (is_manager) manages their own unit; a manager grant adds another unit."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import OrganisationUnit, Person, Role, RoleGrant


def managed_units(session: Session, person: Person) -> list[OrganisationUnit]:
    """The units whose people this person sees as their team (not their subunits)."""
    unit_ids = set(
        session.scalars(
            select(RoleGrant.organisation_id).where(
                RoleGrant.person_id == person.id,
                RoleGrant.role == Role.MANAGER.value,
                RoleGrant.organisation_id.is_not(None),
            )
        )
    )
    if person.is_manager and person.organisation_id is not None:
        unit_ids.add(person.organisation_id)
    if not unit_ids:
        return []
    return list(session.scalars(select(OrganisationUnit).where(OrganisationUnit.id.in_(unit_ids))))


def managers_of(session: Session, person: Person) -> list[Person]:
    """The active managers of the person's unit, else of the nearest ancestor unit that has one; never the person."""
    if person.organisation is None:
        return []
    granted = select(RoleGrant.person_id).where(
        RoleGrant.role == Role.MANAGER.value, RoleGrant.organisation_id == OrganisationUnit.id
    )
    # Walk up the materialised path "/1/5/9/": own unit first, then each ancestor.
    for unit_id in reversed([int(part) for part in person.organisation.path.strip("/").split("/") if part]):
        managers = session.scalars(
            select(Person)
            .join(OrganisationUnit, OrganisationUnit.id == unit_id)
            .where(
                Person.active.is_(True),
                Person.id != person.id,
                or_(
                    (Person.organisation_id == unit_id) & Person.is_manager.is_(True),
                    Person.id.in_(granted),
                ),
            )
            .order_by(Person.id)
        ).all()
        if managers:
            return list(managers)
    return []
