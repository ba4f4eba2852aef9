"""Admin pages for people: search, a person's roles, granting, revoking and sending an invitation."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.mail import Mail
from elearning.models import AccountToken, AuditEvent, Person, RoleGrant

from ..conftest import World, csrf_token, login


@pytest.fixture
def admin(client: FlaskClient, world: World) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "admin@example.org")
    return client


def _grants(db: Session, person_id: int) -> set[tuple[str, int | None]]:
    db.expire_all()
    return {(g.role, g.organisation_id) for g in db.scalars(select(RoleGrant).where(RoleGrant.person_id == person_id))}


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_by_name_email_or_employee_number(admin: FlaskClient, world: World, db: Session) -> None:
    world.colleague_b.employee_number = "E-777"
    db.commit()
    page = _page(admin, "/admin/people?q=E-777")
    assert "1 person matches" in page and "colleague-b@example.org" in page
    assert "employee@example.org" not in page
    assert f'href="/admin/people/{world.colleague_b.id}"' in page
    page = _page(admin, "/admin/people?q=HR-")
    assert "hr-a@example.org" in page and "hr-b@example.org" in page and "2 people match" in page
    page = _page(admin, "/admin/people?q=nobody-at-all")
    assert "No one found" in page
    assert "7 people" in _page(admin, "/admin/people")


def test_search_is_paged(admin: FlaskClient, world: World, db: Session) -> None:
    for number in range(30):
        db.add(Person(name=f"Tester {number:02d}", email=f"tester{number:02d}@example.org"))
    db.commit()
    first = _page(admin, "/admin/people?q=tester")
    assert "30 people match" in first and "page 1 of 2" in first
    assert first.count('href="/admin/people/') == 25
    assert 'href="/admin/people?q=tester&amp;page=2"' in first
    second = _page(admin, "/admin/people?q=tester&page=2")
    assert second.count('href="/admin/people/') == 5 and "Previous page" in second
    assert "page 1 of 2" in _page(admin, "/admin/people?q=tester&page=nonsense")
    assert _page(admin, "/admin/people?q=tester&page=99").count('href="/admin/people/') == 5


def test_person_page_shows_roles_and_forms(admin: FlaskClient, world: World) -> None:
    page = _page(admin, f"/admin/people/{world.manager.id}")
    assert "Roles of Manager" in page
    assert "From the HR roster" in page  # is_manager on the roster: manages own unit
    assert '<select id="role" name="role"' in page
    assert 'id="organisation"' in page and "— — Team A1 (DG-A-1)" in page
    assert "Send invitation" in page
    page = _page(admin, f"/admin/people/{world.hr_a.id}")
    assert f'action="/admin/people/{world.hr_a.id}/roles/{world.hr_a.roles[0].id}/revoke"' in page


def test_grant_then_revoke_with_flash_and_audit(admin: FlaskClient, world: World, db: Session) -> None:
    url = f"/admin/people/{world.colleague_b.id}"
    token = csrf_token(admin, url)
    response = admin.post(f"{url}/roles", data={"role": "hr", "organisation": world.dg_b.id, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == url
    page = _page(admin, url)
    assert "The role was granted." in page and "DG B" in page
    assert _grants(db, world.colleague_b.id) == {("hr", world.dg_b.id)}
    grant_id = db.scalar(select(RoleGrant.id).where(RoleGrant.person_id == world.colleague_b.id))

    revoke = f"{url}/roles/{grant_id}/revoke"
    assert admin.post(revoke, data={"csrf_token": token}).status_code == 302
    assert "The role was revoked." in _page(admin, url)
    assert admin.post(revoke, data={"csrf_token": token}).status_code == 302  # double submit: harmless
    assert "This role had already been revoked." in _page(admin, url)
    assert _grants(db, world.colleague_b.id) == set()
    events = db.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id, e.target, e.details) for e in events] == [
        ("role.grant", world.admin.id, f"person:{world.colleague_b.id}", {"role": "hr", "unit": "DG-B"}),
        ("role.revoke", world.admin.id, f"person:{world.colleague_b.id}", {"role": "hr", "unit": "DG-B"}),
    ]


def test_a_double_grant_is_a_clear_message(admin: FlaskClient, world: World, db: Session) -> None:
    url = f"/admin/people/{world.employee.id}"
    data = {"role": "author", "organisation": "", "csrf_token": csrf_token(admin, url)}
    assert admin.post(f"{url}/roles", data=data).status_code == 302
    response = admin.post(f"{url}/roles", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "This person already has the role author." in page
    assert _grants(db, world.employee.id) == {("author", None)}


@pytest.mark.parametrize(
    ("role", "unit", "message"),
    [
        ("hr", "", "The role HR needs an organisation unit; choose one."),
        ("admin", "dg_a", "The role administrator applies everywhere; choose no organisation unit."),
        ("employee", "", "Not a valid choice"),
        ("hr", "987654", "Not a valid choice"),
        ("hr", "abc", "Invalid Choice"),  # only a forged request sends this
    ],
)
def test_bad_grants_show_the_form_again_with_the_reason(
    admin: FlaskClient, world: World, db: Session, role: str, unit: str, message: str
) -> None:
    url = f"/admin/people/{world.employee.id}"
    unit_value = str(world.dg_a.id) if unit == "dg_a" else unit
    data = {"role": role, "organisation": unit_value, "csrf_token": csrf_token(admin, url)}
    response = admin.post(f"{url}/roles", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    if role == "admin":  # what was chosen is still chosen
        assert '<option selected value="admin">' in page
        assert f'<option selected value="{world.dg_a.id}">' in page
    assert _grants(db, world.employee.id) == set()


def test_an_admin_cannot_lock_themselves_out(admin: FlaskClient, world: World, db: Session) -> None:
    url = f"/admin/people/{world.admin.id}"
    grant_id = world.admin.roles[0].id
    response = admin.post(f"{url}/roles/{grant_id}/revoke", data={"csrf_token": csrf_token(admin, url)})
    assert response.status_code == 302
    assert "You cannot revoke your own last administrator role" in _page(admin, url)
    assert _grants(db, world.admin.id) == {("admin", None)}


def test_send_invitation_once_per_click(admin: FlaskClient, world: World, db: Session, outbox: list[Mail]) -> None:
    url = f"/admin/people/{world.colleague_b.id}"
    page = _page(admin, url)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert form_token
    data = {"csrf_token": csrf_token(admin, url), "form_token": form_token.group(1)}
    assert admin.post(f"{url}/invitation", data=data).status_code == 302
    assert "An invitation was sent to colleague-b@example.org." in _page(admin, url)
    assert admin.post(f"{url}/invitation", data=data).status_code == 302  # a double click
    assert "This invitation has already been sent." in _page(admin, url)
    assert [mail.to for mail in outbox] == ["colleague-b@example.org"]
    db.expire_all()
    assert db.scalar(select(AccountToken.person_id)) == world.colleague_b.id
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "person.invite")).all()
    assert event.actor_id == world.admin.id and event.target == f"person:{world.colleague_b.id}"


def test_inactive_person_is_not_invited(admin: FlaskClient, world: World, db: Session, outbox: list[Mail]) -> None:
    world.colleague_b.active = False
    db.commit()
    url = f"/admin/people/{world.colleague_b.id}"
    data = {"csrf_token": csrf_token(admin, url), "form_token": "a-fresh-form-token-1234"}
    assert admin.post(f"{url}/invitation", data=data).status_code == 302
    assert "This person is not active and cannot be invited." in _page(admin, url)
    assert outbox == []
