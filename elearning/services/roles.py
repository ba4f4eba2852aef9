"""Administration of roles: only admins grant and revoke, scopes are checked, and every change is audited."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session, joinedload

from ..i18n import _l
from ..models import AuditEvent, OrganisationUnit, Person, Role, RoleGrant
from . import audit, login_sessions
from .errors import Forbidden, InvalidInput, NotFound
from .upsert import insert_ignore

# Employee is what everyone is; it is implicit and never granted.
GRANTABLE_ROLES: tuple[Role, ...] = (Role.MANAGER, Role.AUTHOR, Role.HR, Role.ADMIN)
# Manager sees one unit, HR one subtree per grant: these need a unit; author and admin must not have one.
SCOPED_ROLES = frozenset({Role.MANAGER, Role.HR})
ROLE_LABELS = {
    Role.EMPLOYEE: _l("employee"),
    Role.MANAGER: _l("manager"),
    Role.AUTHOR: _l("author"),
    Role.HR: _l("HR"),
    Role.ADMIN: _l("administrator"),
}
PEOPLE_PER_PAGE = 25
AUDIT_PER_PAGE = 50


def is_admin(person: Person) -> bool:
    return person.has_role(Role.ADMIN)


def require_admin(person: Person) -> None:
    """Every administration page and change passes here first."""
    if not is_admin(person):
        raise Forbidden("role admin required")


@dataclass(frozen=True)
class PeoplePage:
    """One page of a people search."""

    people: Sequence[Person]
    query: str
    page: int
    total: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class PersonRoles:
    """A person as the admin sees them: their grants, and the unit they manage through the roster flag."""

    person: Person
    grants: list[RoleGrant]
    roster_unit: OrganisationUnit | None


@dataclass(frozen=True)
class AuditPage:
    """A page of the audit log, newest first; `older_than` continues the list (keyset), None on the last page."""

    events: Sequence[AuditEvent]
    action: str | None
    actions: list[str]
    older_than: int | None


@dataclass(frozen=True)
class Overview:
    """What an administrator sees first: how many people, units and role holders there are, and the latest events."""

    active_people: int
    open_units: int
    closed_units: int
    holders: dict[str, int]
    latest: Sequence[AuditEvent]


def search_people(
    session: Session, actor: Person, query: str = "", page: int = 1, per_page: int = PEOPLE_PER_PAGE
) -> PeoplePage:
    """People whose name, e-mail address or employee number contains `query`, by name, a page at a time."""
    require_admin(actor)
    query = query.strip()
    condition: ColumnElement[bool] = true()
    if query:
        needle = query.lower()
        condition = or_(
            func.lower(Person.name).contains(needle, autoescape=True),
            func.lower(Person.email).contains(needle, autoescape=True),
            func.lower(Person.employee_number).contains(needle, autoescape=True),
        )
    total = session.scalar(select(func.count(Person.id)).where(condition)) or 0
    page = min(max(page, 1), max(1, -(-total // per_page)))
    people = session.scalars(
        select(Person)
        .where(condition)
        .options(joinedload(Person.organisation))
        .order_by(func.lower(Person.name), Person.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return PeoplePage(people=people, query=query, page=page, total=total, per_page=per_page)


def person_for_admin(session: Session, actor: Person, person_id: int) -> Person:
    """The person an admin works on; NotFound when there is none."""
    require_admin(actor)
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("person")
    return person


def person_roles(session: Session, actor: Person, person_id: int) -> PersonRoles:
    """The person with their grants in a stable order (role, then unit code)."""
    person = person_for_admin(session, actor, person_id)
    grants = list(
        session.scalars(
            select(RoleGrant)
            .outerjoin(OrganisationUnit, RoleGrant.organisation_id == OrganisationUnit.id)
            .options(joinedload(RoleGrant.organisation))
            .where(RoleGrant.person_id == person.id)
            .order_by(RoleGrant.role, OrganisationUnit.code, RoleGrant.id)
        )
    )
    roster_unit = person.organisation if person.is_manager else None
    return PersonRoles(person=person, grants=grants, roster_unit=roster_unit)


def _role(value: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        raise InvalidInput(_l("Unknown role: %(role)s.", role=value)) from None
    if role is Role.EMPLOYEE:
        raise InvalidInput(_l("Everyone is an employee; that role is not granted."))
    return role


def _scope(session: Session, role: Role, organisation_id: int | None) -> OrganisationUnit | None:
    """The unit a grant of `role` applies to, checked against the rules for that role."""
    label = ROLE_LABELS[role]
    if role not in SCOPED_ROLES:
        if organisation_id is not None:
            raise InvalidInput(_l("The role %(role)s applies everywhere; choose no organisation unit.", role=label))
        return None
    if organisation_id is None:
        raise InvalidInput(_l("The role %(role)s needs an organisation unit; choose one.", role=label))
    unit = session.get(OrganisationUnit, organisation_id)
    if unit is None:
        raise InvalidInput(_l("That organisation unit does not exist."))
    if unit.closed_at is not None:
        raise InvalidInput(_l("Organisation unit %(code)s is closed; choose an open unit.", code=unit.code))
    return unit


def _duplicate(role: Role, unit: OrganisationUnit | None) -> InvalidInput:
    if unit is None:
        return InvalidInput(_l("This person already has the role %(role)s.", role=ROLE_LABELS[role]))
    return InvalidInput(
        _l("This person already has the role %(role)s for %(code)s.", role=ROLE_LABELS[role], code=unit.code)
    )


def grant_role(
    session: Session,
    actor: Person,
    person_id: int,
    role: str,
    organisation_id: int | None,
    *,
    keep_session: int | None = None,
) -> RoleGrant:
    """Give a person a role (HR and manager for a unit); a grant that already exists is refused with a message.

    The person's login sessions end (all but `keep_session`, the actor's own when they change their own roles).
    """
    person = person_for_admin(session, actor, person_id)
    granted = _role(role)
    unit = _scope(session, granted, organisation_id)
    unit_id = unit.id if unit else None
    same = select(RoleGrant).where(
        RoleGrant.person_id == person.id,
        RoleGrant.role == granted.value,
        RoleGrant.organisation_id.is_(None) if unit_id is None else RoleGrant.organisation_id == unit_id,
    )
    if session.scalar(same) is not None:
        raise _duplicate(granted, unit)
    # ON CONFLICT DO NOTHING: a concurrent identical grant of a scoped role loses quietly instead of crashing.
    values = {"person_id": person.id, "role": granted.value, "organisation_id": unit_id}
    if not insert_ignore(session, RoleGrant, values, ["person_id", "role", "organisation_id"]):
        raise _duplicate(granted, unit)
    session.expire(person, ["roles"])
    grant = session.scalars(same.order_by(RoleGrant.id)).first()
    if grant is None:
        raise RuntimeError("the grant just made is not found")
    login_sessions.end_all(session, person.id, keep=keep_session)
    audit.record(
        session, actor, "role.grant", f"person:{person.id}", role=granted.value, unit=unit.code if unit else None
    )
    return grant


def revoke_role(
    session: Session, actor: Person, person_id: int, grant_id: int, *, keep_session: int | None = None
) -> bool:
    """Take a grant away; False when it was already gone. An admin cannot revoke their own last admin grant.

    The person's login sessions end (all but `keep_session`, the actor's own when they change their own roles).
    """
    person = person_for_admin(session, actor, person_id)
    grant = session.scalar(select(RoleGrant).where(RoleGrant.id == grant_id, RoleGrant.person_id == person.id))
    if grant is None:
        return False
    if grant.role == Role.ADMIN.value and person.id == actor.id:
        other_admin_grants = session.scalar(
            select(func.count(RoleGrant.id)).where(
                RoleGrant.person_id == actor.id, RoleGrant.role == Role.ADMIN.value, RoleGrant.id != grant.id
            )
        )
        if not other_admin_grants:
            raise InvalidInput(
                _l(
                    "You cannot revoke your own last administrator role: nobody could then undo it. "
                    "Ask another administrator."
                )
            )
    unit_code = grant.organisation.code if grant.organisation else None
    role = grant.role
    session.delete(grant)
    session.flush()
    session.expire(person, ["roles"])
    login_sessions.end_all(session, person.id, keep=keep_session)
    audit.record(session, actor, "role.revoke", f"person:{person.id}", role=role, unit=unit_code)
    return True


def audit_page(
    session: Session,
    actor: Person,
    *,
    older_than: int | None = None,
    action: str | None = None,
    limit: int = AUDIT_PER_PAGE,
) -> AuditPage:
    """A page of the audit log for admins, newest first, optionally of one action."""
    require_admin(actor)
    action = action or None
    rows = audit.recent(session, limit=limit + 1, before_id=older_than, action=action)
    events = rows[:limit]
    actions = list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
    return AuditPage(
        events=events,
        action=action,
        actions=actions,
        older_than=events[-1].id if len(rows) > limit else None,
    )


def audit_export(session: Session, actor: Person, action: str | None = None) -> Iterator[tuple[Any, ...]]:
    """Every audit event (of one action) oldest first, streamed, for admins; the export is itself audited.

    The check and the audit event happen at the call, before the first row is read (the caller commits them).
    """
    require_admin(actor)
    audit.record(session, actor, "audit.export", "", only_action=action or None)
    return _audit_rows(session, action)


def _audit_rows(session: Session, action: str | None) -> Iterator[tuple[Any, ...]]:
    query = (
        select(
            AuditEvent.at, Person.employee_number, Person.name, AuditEvent.action, AuditEvent.target, AuditEvent.details
        )
        .outerjoin(Person, Person.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id)
    )
    if action:
        query = query.where(AuditEvent.action == action)
    for batch in session.execute(query, execution_options={"yield_per": 2000, "stream_results": True}).partitions():
        for at, number, name, event, target, details in batch:
            yield at, number or "", name or "", event, target, json.dumps(details, ensure_ascii=False, sort_keys=True)


def overview(session: Session, actor: Person) -> Overview:
    """Counts for the admin start page and the five latest audit events."""
    require_admin(actor)
    active_people = session.scalar(select(func.count(Person.id)).where(Person.active.is_(True))) or 0
    open_units, closed_units = session.execute(
        select(
            func.count(OrganisationUnit.id).filter(OrganisationUnit.closed_at.is_(None)),
            func.count(OrganisationUnit.id).filter(OrganisationUnit.closed_at.is_not(None)),
        )
    ).one()
    holders = {role.value: 0 for role in GRANTABLE_ROLES}
    for role, count in session.execute(
        select(RoleGrant.role, func.count(func.distinct(RoleGrant.person_id))).group_by(RoleGrant.role)
    ):
        holders[role] = count
    return Overview(
        active_people=active_people,
        open_units=open_units,
        closed_units=closed_units,
        holders=holders,
        latest=audit.recent(session, limit=5),
    )
