"""Granting and revoking roles: admins only, scopes by role, no duplicates, no lock-out, every change audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, Person, Role, RoleGrant
from elearning.services import organisations, roles
from elearning.services.audit import record
from elearning.services.authz import hr_scopes
from elearning.services.errors import Forbidden, InvalidInput, NotFound
from elearning.services.managers import managed_units

from ..conftest import World


def _grants(db: Session, person: Person) -> set[tuple[str, int | None]]:
    return {(g.role, g.organisation_id) for g in db.scalars(select(RoleGrant).where(RoleGrant.person_id == person.id))}


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_admin_grants_hr_for_several_subtrees(world: World, db: Session) -> None:
    roles.grant_role(db, world.admin, world.colleague_b.id, "hr", world.dg_a.id)
    grant = roles.grant_role(db, world.admin, world.colleague_b.id, "hr", world.dg_b.id)
    assert (grant.person_id, grant.role, grant.organisation_id) == (world.colleague_b.id, "hr", world.dg_b.id)
    db.commit()
    db.expire_all()
    person = db.get(Person, world.colleague_b.id)
    assert person is not None and person.has_role(Role.HR)
    assert {unit.code for unit in hr_scopes(db, person)} == {"DG-A", "DG-B"}


def test_grant_is_audited_with_role_and_unit_code_only(world: World, db: Session) -> None:
    roles.grant_role(db, world.admin, world.employee.id, "manager", world.dg_b.id)
    roles.grant_role(db, world.admin, world.employee.id, "author", None)
    manager, author = _events(db, "role.grant")
    assert manager.actor_id == world.admin.id
    assert manager.target == f"person:{world.employee.id}"
    assert manager.details == {"role": "manager", "unit": "DG-B"}
    assert author.details == {"role": "author", "unit": None}
    for event in (manager, author):
        assert "@" not in repr(event.details)
        assert world.employee.name not in repr(event.details)
        assert event.at is not None


def test_manager_grant_adds_a_managed_unit(world: World, db: Session) -> None:
    roles.grant_role(db, world.admin, world.manager.id, "manager", world.dg_b.id)
    db.expire_all()
    manager = db.get(Person, world.manager.id)
    assert manager is not None
    assert sorted(unit.code for unit in managed_units(db, manager)) == ["DG-A-1", "DG-B"]


@pytest.mark.parametrize(
    ("role", "unit", "message"),
    [
        ("hr", None, "The role HR needs an organisation unit"),
        ("manager", None, "The role manager needs an organisation unit"),
        ("author", "dg_a", "The role author applies everywhere; choose no organisation unit"),
        ("admin", "dg_a", "The role administrator applies everywhere"),
        ("employee", None, "Everyone is an employee; that role is not granted"),
        ("superuser", None, "Unknown role: superuser"),
        ("hr", "missing", "That organisation unit does not exist"),
    ],
)
def test_scope_rules_per_role(world: World, db: Session, role: str, unit: str | None, message: str) -> None:
    unit_id = {"dg_a": world.dg_a.id, "missing": 987654, None: None}[unit]
    with pytest.raises(InvalidInput, match=message):
        roles.grant_role(db, world.admin, world.employee.id, role, unit_id)
    assert _grants(db, world.employee) == set()
    assert _events(db, "role.grant") == []


def test_no_grant_for_a_closed_unit(world: World, db: Session) -> None:
    empty = organisations.add_unit(db, world.admin, "EMPTY", "Empty", world.ministry.id)
    organisations.close_unit(db, world.admin, empty.id, now=datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidInput, match="EMPTY is closed"):
        roles.grant_role(db, world.admin, world.employee.id, "hr", empty.id)


def test_granting_what_exists_is_a_clear_message(world: World, db: Session) -> None:
    with pytest.raises(InvalidInput, match=r"This person already has the role HR for DG-A\."):
        roles.grant_role(db, world.admin, world.hr_a.id, "hr", world.dg_a.id)
    with pytest.raises(InvalidInput, match=r"This person already has the role administrator\."):
        roles.grant_role(db, world.admin, world.admin.id, "admin", None)
    roles.grant_role(db, world.admin, world.employee.id, "author", None)
    with pytest.raises(InvalidInput, match="already has the role author"):
        roles.grant_role(db, world.admin, world.employee.id, "author", None)
    db.commit()  # nothing broke the transaction
    assert _grants(db, world.hr_a) == {("hr", world.dg_a.id)}
    assert _grants(db, world.employee) == {("author", None)}
    assert len(_events(db, "role.grant")) == 1


@pytest.mark.parametrize("who", ["employee", "manager", "author", "hr_a", "hr_b"])
def test_only_admins_grant_and_revoke(world: World, db: Session, who: str) -> None:
    actor = getattr(world, who)
    grant_id = world.hr_a.roles[0].id
    with pytest.raises(Forbidden):
        roles.grant_role(db, actor, actor.id, "admin", None)
    with pytest.raises(Forbidden):
        roles.grant_role(db, actor, world.employee.id, "hr", world.dg_a.id)
    with pytest.raises(Forbidden):
        roles.revoke_role(db, actor, world.hr_a.id, grant_id)
    with pytest.raises(Forbidden):
        roles.search_people(db, actor, "")
    with pytest.raises(Forbidden):
        roles.person_roles(db, actor, world.employee.id)
    with pytest.raises(Forbidden):
        roles.audit_page(db, actor)
    with pytest.raises(Forbidden):
        roles.overview(db, actor)
    assert _grants(db, world.hr_a) == {("hr", world.dg_a.id)}
    assert db.scalars(select(AuditEvent)).all() == []


def test_revoke_removes_the_grant_and_is_audited(world: World, db: Session) -> None:
    grant_id = world.hr_a.roles[0].id
    assert roles.revoke_role(db, world.admin, world.hr_a.id, grant_id) is True
    assert roles.revoke_role(db, world.admin, world.hr_a.id, grant_id) is False  # a double submit
    db.commit()
    db.expire_all()
    hr_a = db.get(Person, world.hr_a.id)
    assert hr_a is not None and not hr_a.has_role(Role.HR)
    [event] = _events(db, "role.revoke")
    assert (event.actor_id, event.target, event.details) == (
        world.admin.id,
        f"person:{world.hr_a.id}",
        {"role": "hr", "unit": "DG-A"},
    )


def test_revoke_checks_the_grant_belongs_to_the_person(world: World, db: Session) -> None:
    grant_id = world.hr_a.roles[0].id
    assert roles.revoke_role(db, world.admin, world.hr_b.id, grant_id) is False
    assert _grants(db, world.hr_a) == {("hr", world.dg_a.id)}
    with pytest.raises(NotFound):
        roles.revoke_role(db, world.admin, 987654, grant_id)


def test_an_admin_cannot_revoke_their_own_last_admin_grant(world: World, db: Session) -> None:
    own = world.admin.roles[0].id
    with pytest.raises(InvalidInput, match="You cannot revoke your own last administrator role"):
        roles.revoke_role(db, world.admin, world.admin.id, own)
    assert _grants(db, world.admin) == {("admin", None)}
    assert _events(db, "role.revoke") == []


def test_an_admin_may_revoke_another_admin_and_that_one_may_not_lock_out(world: World, db: Session) -> None:
    roles.grant_role(db, world.admin, world.colleague_b.id, "admin", None)
    db.expire_all()
    second = db.get(Person, world.colleague_b.id)
    assert second is not None
    first_grant = world.admin.roles[0].id
    assert roles.revoke_role(db, second, world.admin.id, first_grant) is True
    db.expire_all()
    own = second.roles[0].id
    with pytest.raises(InvalidInput, match="last administrator role"):
        roles.revoke_role(db, second, second.id, own)


def test_search_people_by_name_email_and_number_paged(world: World, db: Session) -> None:
    world.employee.employee_number = "E-12345"
    world.employee.name = "Anna 100% de Vries"
    db.flush()
    assert [p.email for p in roles.search_people(db, world.admin, "vries").people] == ["employee@example.org"]
    assert [p.email for p in roles.search_people(db, world.admin, "E-123").people] == ["employee@example.org"]
    assert [p.email for p in roles.search_people(db, world.admin, "HR-B@EXAMPLE").people] == ["hr-b@example.org"]
    assert [p.email for p in roles.search_people(db, world.admin, "100%").people] == ["employee@example.org"]
    assert roles.search_people(db, world.admin, "_").people == []  # wildcards are literal
    assert roles.search_people(db, world.admin, "nobody").total == 0
    everyone = roles.search_people(db, world.admin, "  ")
    assert everyone.total == 7 and everyone.pages == 1
    first = roles.search_people(db, world.admin, "example.org", page=1, per_page=3)
    last = roles.search_people(db, world.admin, "example.org", page=3, per_page=3)
    beyond = roles.search_people(db, world.admin, "example.org", page=99, per_page=3)
    assert (first.total, first.pages, len(first.people), len(last.people)) == (7, 3, 3, 1)
    assert beyond.page == 3 and [p.id for p in beyond.people] == [p.id for p in last.people]
    names = [p.name for p in first.people] + [
        p.name for p in roles.search_people(db, world.admin, "example.org", page=2, per_page=3).people
    ]
    assert names == sorted(names, key=str.lower)


def test_person_roles_lists_grants_and_the_roster_unit(world: World, db: Session) -> None:
    roles.grant_role(db, world.admin, world.manager.id, "hr", world.dg_b.id)
    detail = roles.person_roles(db, world.admin, world.manager.id)
    assert [(g.role, g.organisation.code if g.organisation else None) for g in detail.grants] == [("hr", "DG-B")]
    assert detail.roster_unit is not None and detail.roster_unit.code == "DG-A-1"
    assert roles.person_roles(db, world.admin, world.employee.id).roster_unit is None
    with pytest.raises(NotFound):
        roles.person_roles(db, world.admin, 987654)


def test_audit_page_is_keyset_paged_newest_first_and_filtered(world: World, db: Session) -> None:
    for number in range(5):
        record(db, world.admin, "unit.rename", f"unit:U{number}", unit_id=number)
    record(db, None, "people.import", "", rows=3)
    first = roles.audit_page(db, world.admin, limit=4)
    assert [e.action for e in first.events] == ["people.import"] + ["unit.rename"] * 3
    assert first.older_than == first.events[-1].id
    second = roles.audit_page(db, world.admin, limit=4, older_than=first.older_than)
    assert [e.target for e in second.events] == ["unit:U1", "unit:U0"] and second.older_than is None
    only = roles.audit_page(db, world.admin, action="people.import")
    assert [e.actor for e in only.events] == [None]
    assert first.actions == ["people.import", "unit.rename"]


def test_overview_counts(world: World, db: Session) -> None:
    world.colleague_b.active = False
    db.flush()
    overview = roles.overview(db, world.admin)
    assert (overview.active_people, overview.open_units, overview.closed_units) == (6, 4, 0)
    assert overview.holders == {"manager": 0, "author": 1, "hr": 2, "admin": 1}
