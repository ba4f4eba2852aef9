"""A manager's team page: the people of the units they manage and where each stands with their assignments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import OrganisationUnit, Person
from .enrolments import EnrolmentStatus, current_enrolments
from .errors import Forbidden
from .managers import managed_units


@dataclass(frozen=True)
class Member:
    """One person of the team and their current enrolments (by due date)."""

    person: Person
    enrolments: list[EnrolmentStatus]

    @property
    def overdue(self) -> int:
        return sum(1 for e in self.enrolments if e.status == "overdue")


@dataclass(frozen=True)
class TeamUnit:
    """A unit the manager manages, with its active people (the manager left out)."""

    unit: OrganisationUnit
    members: list[Member]


def team_overview(session: Session, manager: Person, today: date) -> list[TeamUnit]:
    """The manager's own units only (never subunits or other units); Forbidden for anyone who manages none."""
    units = sorted(managed_units(session, manager), key=lambda unit: unit.name.casefold())
    if not units:
        raise Forbidden("manages no unit")
    unit_ids = [unit.id for unit in units]
    in_team = (Person.organisation_id.in_(unit_ids), Person.active.is_(True), Person.id != manager.id)
    people = session.scalars(select(Person).where(*in_team).order_by(Person.name, Person.id)).all()
    by_person: dict[int, list[EnrolmentStatus]] = {}
    for enrolment in current_enrolments(session, today, select(Person.id).where(*in_team)):
        by_person.setdefault(enrolment.person_id, []).append(enrolment)
    return [
        TeamUnit(
            unit=unit,
            members=[Member(p, by_person.get(p.id, [])) for p in people if p.organisation_id == unit.id],
        )
        for unit in units
    ]
