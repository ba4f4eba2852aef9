"""Who manages whom: roster managers manage their own unit, manager grants add units; nearest manager up the tree."""

from __future__ import annotations

from sqlalchemy.orm import Session

from elearning.models import Role, RoleGrant
from elearning.services.managers import managed_units, managers_of

from ..conftest import World


def test_a_roster_manager_manages_their_own_unit(world: World, db: Session) -> None:
    assert [u.code for u in managed_units(db, world.manager)] == ["DG-A-1"]
    assert managed_units(db, world.employee) == []
    assert managed_units(db, world.hr_a) == []  # HR is not a manager


def test_a_manager_grant_adds_a_unit(world: World, db: Session) -> None:
    db.add(RoleGrant(person_id=world.manager.id, role=Role.MANAGER.value, organisation_id=world.dg_b.id))
    db.add(RoleGrant(person_id=world.author.id, role=Role.MANAGER.value, organisation_id=world.dg_a.id))
    db.commit()
    assert sorted(u.code for u in managed_units(db, world.manager)) == ["DG-A-1", "DG-B"]
    assert [u.code for u in managed_units(db, world.author)] == ["DG-A"]


def test_managers_of_a_person(world: World, db: Session) -> None:
    assert managers_of(db, world.employee) == [world.manager]
    assert managers_of(db, world.manager) == []  # never oneself, and nobody above manages
    assert managers_of(db, world.colleague_b) == []


def test_the_nearest_manager_up_the_tree(world: World, db: Session) -> None:
    db.add(RoleGrant(person_id=world.hr_a.id, role=Role.MANAGER.value, organisation_id=world.dg_a.id))
    db.commit()
    assert managers_of(db, world.author) == [world.hr_a]  # DG-A itself
    assert managers_of(db, world.manager) == [world.hr_a]  # team A1 has only the manager: go up to DG-A
    assert managers_of(db, world.employee) == [world.manager]  # the own unit first


def test_inactive_managers_do_not_count(world: World, db: Session) -> None:
    world.manager.active = False
    db.commit()
    assert managers_of(db, world.employee) == []
