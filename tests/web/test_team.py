"""The manager's team page: the people of the managed units only, with status and due date; others 403."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import Assignment, ModuleCompletion, Role, RoleGrant
from elearning.services.enrolments import sync
from elearning.services.errors import Forbidden
from elearning.services.team import team_overview

from ..conftest import TEST_CONTENT, World, login


def _assign(db: Session, world: World, due: date, module: str = "basis", unit: object = None) -> None:
    db.add(Assignment(module_slug=module, organisation_id=(unit or world.ministry).id, due_on=due))  # type: ignore[attr-defined]
    db.commit()
    sync(db, load_catalog(TEST_CONTENT), date.today(), now=datetime.now(UTC))
    db.commit()


def test_manager_sees_their_team_with_status(client: FlaskClient, world: World, db: Session) -> None:
    _assign(db, world, date.today() - timedelta(days=3))
    _assign(db, world, date.today() + timedelta(days=40), module="toets")
    db.add(
        ModuleCompletion(
            person_id=world.employee.id,
            module_slug="toets",
            content_version="v1",
            completed_at=datetime(2026, 1, 5, tzinfo=UTC),
        )
    )
    db.commit()
    sync(db, load_catalog(TEST_CONTENT), date.today(), now=datetime.now(UTC))
    db.commit()
    login(client, "manager@example.org")
    response = client.get("/team/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Team A1" in page and "Employee" in page
    rows = [row for row in page.split("<tr>") if "status-" in row]
    assert any("Basics" in row and "Overdue" in row for row in rows)
    assert any(">Test<" in row and "Completed" in row and "Jan 5, 2026" in row for row in rows)
    assert "Colleague B" not in page and "Hr A" not in page  # another unit, and the unit above
    assert ">Manager<" not in page  # not oneself
    assert "<caption id=" in page and 'scope="rowgroup"' in page


@pytest.mark.parametrize(
    "email", ["employee@example.org", "hr-a@example.org", "author@example.org", "admin@example.org"]
)
def test_non_managers_get_403(client: FlaskClient, world: World, email: str) -> None:
    login(client, email)
    assert client.get("/team/").status_code == 403


def test_login_required(client: FlaskClient, world: World) -> None:
    assert client.get("/team/").status_code == 302


def test_a_manager_grant_shows_that_unit_too(client: FlaskClient, world: World, db: Session) -> None:
    db.add(RoleGrant(person_id=world.manager.id, role=Role.MANAGER.value, organisation_id=world.dg_b.id))
    db.commit()
    login(client, "manager@example.org")
    page = client.get("/team/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Colleague B" in page and "Employee" in page
    assert "No assigned modules" in page


def test_service_keeps_to_managed_units(world: World, db: Session) -> None:
    _assign(db, world, date.today() + timedelta(days=5))
    units = team_overview(db, world.manager, date.today())
    assert [u.unit.code for u in units] == ["DG-A-1"]
    (member,) = units[0].members
    assert member.person.id == world.employee.id
    assert [(e.module_slug, e.status, e.progress) for e in member.enrolments] == [("basis", "due_soon", "not_started")]
    with pytest.raises(Forbidden):
        team_overview(db, world.employee, date.today())
    world.employee.active = False
    db.commit()
    assert team_overview(db, world.manager, date.today())[0].members == []
