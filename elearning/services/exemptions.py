"""Exemptions: HR takes a person in its scope out of a module until a date, giving a reason category only.

An exempted duty counts neither as assigned nor as completed in reports (they show how many were exempted), gets no
reminders, and shows as exempted on the learner's dashboard. No free text is ever recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, Subquery

from ..content import Catalog
from ..i18n import _l
from ..models import Exemption, ExemptionReason, OrganisationUnit, Person, Role, utcnow
from . import audit
from .authz import hr_scopes
from .errors import Forbidden, InvalidInput, NotFound

MAX_MONTHS = 24


@dataclass(frozen=True)
class PersonExemptions:
    person: Person
    current: list[Exemption]
    past: list[Exemption]


def active_at(person_id: Any, module_slug: Any, day: date, moment: datetime) -> ColumnElement[bool]:
    """EXISTS: an exemption of this person from this module that applied at the end of `day` (SQL, for reports)."""
    return (
        select(Exemption.id)
        .where(
            Exemption.person_id == person_id,
            Exemption.module_slug == module_slug,
            Exemption.created_at < moment,
            Exemption.ends_on >= day,
            or_(Exemption.revoked_at.is_(None), Exemption.revoked_at >= moment),
        )
        .exists()
    )


def exempted_pairs(day: date, moment: datetime) -> Subquery:
    """(person_id, module_slug) once per exemption that applied at the end of `day`: a report joins it, outer."""
    return select(Exemption.person_id, Exemption.module_slug).where(applying(day, moment)).distinct().subquery()


def applying(day: date, moment: datetime) -> ColumnElement[bool]:
    """Exemption rows that applied at the end of `day` (for queries that start from the exemptions)."""
    return and_(
        Exemption.created_at < moment,
        Exemption.ends_on >= day,
        or_(Exemption.revoked_at.is_(None), Exemption.revoked_at >= moment),
    )


def exempted_modules(session: Session, person_id: int, today: date) -> dict[str, date]:
    """Module slug -> the last day of the person's exemption from it, for the learner's own dashboard."""
    rows = session.execute(
        select(Exemption.module_slug, Exemption.ends_on).where(
            Exemption.person_id == person_id, Exemption.ends_on >= today, Exemption.revoked_at.is_(None)
        )
    )
    result: dict[str, date] = {}
    for slug, ends_on in rows:
        result[slug] = max(ends_on, result.get(slug, ends_on))
    return result


def _person_in_scope(session: Session, actor: Person, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person")
    if actor.has_role(Role.ADMIN):
        return person
    unit = session.get(OrganisationUnit, person.organisation_id) if person.organisation_id else None
    if unit is None or not any(unit.path.startswith(scope.path) for scope in hr_scopes(session, actor)):
        raise NotFound("person")  # outside one's scope: as if the person did not exist
    return person


def of_person(session: Session, actor: Person, person_id: int, today: date) -> PersonExemptions:
    """The person's exemptions for HR of their unit (or an admin)."""
    if not (actor.has_role(Role.HR) or actor.has_role(Role.ADMIN)):
        raise Forbidden("role hr or admin required")
    person = _person_in_scope(session, actor, person_id)
    rows = list(
        session.scalars(select(Exemption).where(Exemption.person_id == person.id).order_by(Exemption.created_at.desc()))
    )
    current = [e for e in rows if e.revoked_at is None and e.ends_on >= today]
    return PersonExemptions(person, current, [e for e in rows if e not in current])


def exempt(
    session: Session,
    catalog: Catalog,
    actor: Person,
    person_id: int,
    module_slug: str,
    reason: str,
    ends_on: date | None,
    today: date,
) -> Exemption:
    """Exempt a person from a module until `ends_on` (at most MAX_MONTHS ahead); audited with codes only."""
    if not (actor.has_role(Role.HR) or actor.has_role(Role.ADMIN)):
        raise Forbidden("role hr or admin required")
    person = _person_in_scope(session, actor, person_id)
    if catalog.module(module_slug) is None:
        raise InvalidInput(_l("Choose a module from the catalogue."))
    if reason not in {r.value for r in ExemptionReason}:
        raise InvalidInput(_l("Choose one of the reasons in the list."))
    if ends_on is None or ends_on < today:
        raise InvalidInput(_l("Give the last day of the exemption: today or a later date."))
    if ends_on > today + timedelta(days=31 * MAX_MONTHS):
        raise InvalidInput(
            _l("An exemption lasts at most %(months)s months; give an earlier end date.", months=MAX_MONTHS)
        )
    exemption = Exemption(
        person_id=person.id, module_slug=module_slug, reason=reason, ends_on=ends_on, created_by_id=actor.id
    )
    session.add(exemption)
    session.flush()
    audit.record(
        session,
        actor,
        "exemption.create",
        f"person:{person.id}",
        module=module_slug,
        reason=reason,
        ends_on=str(ends_on),
    )
    return exemption


def revoke(session: Session, actor: Person, person_id: int, exemption_id: int) -> bool:
    """End an exemption now (the duty counts again); False when it had ended already."""
    if not (actor.has_role(Role.HR) or actor.has_role(Role.ADMIN)):
        raise Forbidden("role hr or admin required")
    person = _person_in_scope(session, actor, person_id)
    exemption = session.get(Exemption, exemption_id)
    if exemption is None or exemption.person_id != person.id:
        raise NotFound("exemption")
    changed = session.execute(
        update(Exemption)
        .where(Exemption.id == exemption.id, Exemption.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.expire(exemption)
    if not changed.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(session, actor, "exemption.revoke", f"person:{person.id}", module=exemption.module_slug)
    return True
