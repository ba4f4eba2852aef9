"""Admin pages for the organisation tree: the tree with counts, adding, renaming, moving, closing and reopening."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import Assignment, AuditEvent, OrganisationUnit, utcnow
from elearning.services import enrolments
from elearning.services.organisations import create_unit

from ..conftest import TEST_CONTENT, World, csrf_token, login


@pytest.fixture
def admin(client: FlaskClient, world: World) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "admin@example.org")
    return client


def _unit(db: Session, code: str) -> OrganisationUnit | None:
    db.expire_all()
    return db.scalar(select(OrganisationUnit).where(OrganisationUnit.code == code))


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_tree_shows_units_indented_with_codes_counts_and_closed_units(
    admin: FlaskClient, world: World, db: Session
) -> None:
    closed = create_unit(db, "OLD", "Old directorate", world.ministry)
    closed.closed_at = closed.created_at
    db.commit()
    page = _page(admin, "/admin/organisations")
    rows = re.findall(
        r'<th scope="row" class="depth-(\d)"><a href="/admin/organisations/\d+">([^<]+)</a></th>\s*'
        r'<td><span class="code">([^<]+)</span></td>\s*<td class="num">(\d+)</td>',
        page,
    )
    assert rows == [
        ("0", "Ministerie", "MIN", "1"),
        ("1", "DG A", "DG-A", "2"),
        ("2", "Team A1", "DG-A-1", "2"),
        ("1", "DG B", "DG-B", "2"),
        ("1", "Old directorate", "OLD", "0"),
    ]
    assert page.count('<tr class="closed">') == 1
    assert "closed</span>" in page
    # Closed units are not offered as a parent for a new unit.
    assert "— Old directorate (OLD)" not in page and "— DG B (DG-B)" in page


def test_add_a_unit(admin: FlaskClient, world: World, db: Session) -> None:
    token = csrf_token(admin, "/admin/organisations")
    data = {"code": "dg-b-1", "name": "Team B1", "parent": world.dg_b.id, "csrf_token": token}
    response = admin.post("/admin/organisations", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/organisations"
    assert "Unit DG-B-1 was added." in _page(admin, "/admin/organisations")
    unit = _unit(db, "DG-B-1")
    assert unit is not None and unit.parent_id == world.dg_b.id and unit.path == f"{world.dg_b.path}{unit.id}/"
    # A double submit adds nothing and says why.
    again = admin.post("/admin/organisations", data=data)
    assert again.status_code == 400 and "Organisation code DG-B-1 already exists." in again.get_data(as_text=True)
    assert db.scalars(select(AuditEvent.action)).all() == ["unit.create"]


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("", "A name", "Code: This field is required."),
        ("NEW UNIT", "A name", "Use letters, digits and hyphens only"),
        ("NEW", "", "Name: This field is required."),
        ("MIN", "Same code", "Organisation code MIN already exists."),
    ],
)
def test_bad_units_are_refused_and_what_was_typed_stays(
    admin: FlaskClient, world: World, db: Session, code: str, name: str, message: str
) -> None:
    data = {"code": code, "name": name, "parent": "", "csrf_token": csrf_token(admin, "/admin/organisations")}
    response = admin.post("/admin/organisations", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    if name:
        assert f'value="{name}"' in page
    assert 'aria-invalid="true"' in page or "already exists" in message
    assert db.scalars(select(AuditEvent)).all() == []


def test_unit_page_offers_only_parents_outside_its_subtree(admin: FlaskClient, world: World) -> None:
    page = _page(admin, f"/admin/organisations/{world.dg_a.id}")
    move = page[page.index('id="move-parent"') :]
    move = move[: move.index("</select>")]
    assert "DG B (DG-B)" in move and "Ministerie (MIN)" in move
    assert "(DG-A)" not in move and "(DG-A-1)" not in move
    assert f'<option selected value="{world.ministry.id}">' in move


def test_rename_move_close_and_reopen(admin: FlaskClient, world: World, db: Session) -> None:
    url = f"/admin/organisations/{world.team_a1.id}"
    token = csrf_token(admin, url)

    assert admin.post(f"{url}/name", data={"rename-name": "Team One", "csrf_token": token}).status_code == 302
    assert "The unit was renamed." in _page(admin, url)
    assert admin.post(f"{url}/name", data={"rename-name": "Team One", "csrf_token": token}).status_code == 302
    assert "The name was already this." in _page(admin, url)

    data = {"move-parent": world.dg_b.id, "csrf_token": token}
    assert admin.post(f"{url}/parent", data=data).status_code == 302
    assert "The unit was moved." in _page(admin, url)
    assert admin.post(f"{url}/parent", data=data).status_code == 302
    assert "The unit was already there." in _page(admin, url)
    unit = _unit(db, "DG-A-1")
    assert unit is not None and unit.name == "Team One" and unit.path == f"{world.dg_b.path}{unit.id}/"

    assert admin.post(f"{url}/close", data={"csrf_token": token}).status_code == 302
    assert "DG-A-1 cannot be closed: it still has 2 active people." in _page(admin, url)
    for person in (world.employee, world.manager):
        person.organisation_id = world.dg_b.id
    db.commit()
    assert admin.post(f"{url}/close", data={"csrf_token": token}).status_code == 302
    page = _page(admin, url)
    assert "The unit was closed." in page and "Reopen this unit" in page
    assert admin.post(f"{url}/close", data={"csrf_token": token}).status_code == 302
    assert "The unit was already closed." in _page(admin, url)
    assert admin.post(f"{url}/reopen", data={"csrf_token": token}).status_code == 302
    assert "The unit was reopened." in _page(admin, url)

    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["unit.rename", "unit.move", "unit.close", "unit.reopen"]
    assert {e.actor_id for e in db.scalars(select(AuditEvent))} == {world.admin.id}


def test_move_under_own_descendant_is_refused(admin: FlaskClient, world: World, db: Session) -> None:
    url = f"/admin/organisations/{world.dg_a.id}"
    before = {u.code: u.path for u in db.scalars(select(OrganisationUnit))}
    response = admin.post(f"{url}/parent", data={"move-parent": world.team_a1.id, "csrf_token": csrf_token(admin, url)})
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    db.expire_all()
    assert {u.code: u.path for u in db.scalars(select(OrganisationUnit))} == before
    assert db.scalars(select(AuditEvent)).all() == []


def test_rename_to_nothing_is_refused(admin: FlaskClient, world: World, db: Session) -> None:
    url = f"/admin/organisations/{world.dg_a.id}"
    response = admin.post(f"{url}/name", data={"rename-name": "  ", "csrf_token": csrf_token(admin, url)})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<a href="#rename-name">New name: This field is required.</a>' in page
    assert _unit(db, "DG-A").name == "DG A"  # type: ignore[union-attr]


def test_moving_a_unit_moves_its_people_between_audiences(admin: FlaskClient, world: World, db: Session) -> None:
    in_a = Assignment(module_slug="basis", organisation_id=world.dg_a.id, due_on=date(2030, 6, 1))
    in_b = Assignment(module_slug="basis", organisation_id=world.dg_b.id, due_on=date(2030, 9, 1))
    db.add_all([in_a, in_b])
    db.commit()
    enrolments.sync(db, load_catalog(TEST_CONTENT), date.today(), now=utcnow())
    db.commit()
    url = f"/admin/organisations/{world.team_a1.id}"
    response = admin.post(f"{url}/parent", data={"move-parent": world.dg_b.id, "csrf_token": csrf_token(admin, url)})
    assert response.status_code == 302
    db.expire_all()
    team = [world.employee.id, world.manager.id]
    current = {(s.person_id, s.assignment_id) for s in enrolments.current_enrolments(db, date.today(), team)}
    assert current == {(world.employee.id, in_b.id), (world.manager.id, in_b.id)}
