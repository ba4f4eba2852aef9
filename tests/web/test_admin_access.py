"""Only administrators reach /admin: every page and every change gives 403 to every other role."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, OrganisationUnit, RoleGrant

from ..conftest import World, csrf_token, login

NON_ADMINS = ["employee@example.org", "author@example.org", "hr-a@example.org", "manager@example.org"]


def _urls(world: World) -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    person, unit, grant = world.hr_a.id, world.team_a1.id, world.hr_a.roles[0].id
    pages = [
        "/admin/",
        "/admin/people",
        "/admin/people?q=example",
        f"/admin/people/{person}",
        "/admin/organisations",
        f"/admin/organisations/{unit}",
        "/admin/audit",
        "/admin/audit?action=role.grant",
    ]
    changes = [
        (f"/admin/people/{person}/roles", {"role": "admin", "organisation": ""}),
        (f"/admin/people/{person}/roles/{grant}/revoke", {}),
        (f"/admin/people/{person}/invitation", {"form_token": "a-form-token-of-24-chars"}),
        ("/admin/organisations", {"code": "NEW", "name": "New", "parent": ""}),
        (f"/admin/organisations/{unit}/name", {"rename-name": "Renamed"}),
        (f"/admin/organisations/{unit}/parent", {"move-parent": str(world.dg_b.id)}),
        (f"/admin/organisations/{unit}/close", {}),
        (f"/admin/organisations/{unit}/reopen", {}),
    ]
    return pages, changes


@pytest.mark.parametrize("email", NON_ADMINS)
def test_every_admin_url_is_forbidden_to_other_roles(
    client: FlaskClient, world: World, db: Session, email: str
) -> None:
    pages, changes = _urls(world)
    login(client, email)
    for url in pages:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/learn/")
    for url, data in changes:
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 403, url
    # Nothing changed and nothing was written to the audit log.
    db.expire_all()
    assert db.scalars(select(AuditEvent)).all() == []
    assert db.scalar(select(OrganisationUnit).where(OrganisationUnit.code == "NEW")) is None
    assert db.get(RoleGrant, world.hr_a.roles[0].id) is not None
    assert db.get(OrganisationUnit, world.team_a1.id).name == "Team A1"  # type: ignore[union-attr]


def test_the_403_page_says_so(client: FlaskClient, world: World) -> None:
    login(client, "hr-a@example.org")
    response = client.get("/admin/", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_admin_urls_need_login(client: FlaskClient, world: World) -> None:
    pages, _changes = _urls(world)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url


def test_admin_reaches_every_page(client: FlaskClient, world: World) -> None:
    pages, _ = _urls(world)
    login(client, "admin@example.org")
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_unknown_person_or_unit_is_404(client: FlaskClient, world: World) -> None:
    login(client, "admin@example.org")
    assert client.get("/admin/people/987654").status_code == 404
    assert client.get("/admin/organisations/987654").status_code == 404


def test_a_post_without_csrf_token_is_rejected(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "admin@example.org")
    _pages, changes = _urls(world)
    for url, data in changes:
        response = client.post(url, data=data, headers={"Accept-Language": "en"})
        assert response.status_code == 400, url
        assert "This form has expired" in response.get_data(as_text=True)
    db.expire_all()
    assert db.scalars(select(AuditEvent)).all() == []
    assert db.scalar(select(OrganisationUnit).where(OrganisationUnit.code == "NEW")) is None
