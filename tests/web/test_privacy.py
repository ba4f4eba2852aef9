"""The public privacy page, and an administrator erasing one person: confirmation, CSRF, audit without names."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, ModuleCompletion, Person

from ..conftest import PASSWORD, World, csrf_token, login

EN = {"Accept-Language": "en"}


def test_the_privacy_page_is_public_and_linked_in_the_footer(client: FlaskClient, world: World) -> None:
    response = client.get("/privacy", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for words in ("What is stored, and why", "Who sees it", "How long", "Your rights", "argon2id"):
        assert words in page, words
    assert "are erased after 24 months" in page
    assert "ends after 30 minutes without activity, and at the latest 12 hours" in page
    assert "reflection questions stay in your own browser" in page
    assert 'href="/privacy"' in client.get("/auth/login").get_data(as_text=True)
    login(client, "employee@example.org")
    assert 'href="/privacy"' in client.get("/learn/").get_data(as_text=True)
    assert client.get("/privacy").status_code == 200


def test_the_privacy_page_follows_the_configuration(app: Flask, client: FlaskClient) -> None:
    app.config.update(RETENTION_MONTHS=1, SESSION_IDLE_MINUTES=15, SESSION_MAX_HOURS=8)
    page = client.get("/privacy", headers=EN).get_data(as_text=True)
    assert "are erased after 1 month." in page
    assert "ends after 15 minutes without activity, and at the latest 8 hours" in page


def test_the_privacy_page_is_in_dutch_by_default(client: FlaskClient) -> None:
    page = client.get("/privacy").get_data(as_text=True)
    assert '<html lang="nl">' in page


def _erase(client: FlaskClient, person_id: int, confirm: bool = True) -> object:
    data = {"csrf_token": csrf_token(client, f"/admin/people/{person_id}/erase")}
    if confirm:
        data["confirm"] = "y"
    return client.post(f"/admin/people/{person_id}/erase", data=data, headers=EN)


def test_an_admin_erases_a_person_after_confirming(app: Flask, world: World, db: Session) -> None:
    victim = app.test_client()
    login(victim, "colleague-b@example.org")
    db.add(ModuleCompletion(person_id=world.colleague_b.id, module_slug="basis", content_version="v1"))
    db.commit()
    admin = app.test_client()
    login(admin, "admin@example.org")
    person_page = admin.get(f"/admin/people/{world.colleague_b.id}", headers=EN).get_data(as_text=True)
    assert f'href="/admin/people/{world.colleague_b.id}/erase"' in person_page
    confirm_page = admin.get(f"/admin/people/{world.colleague_b.id}/erase", headers=EN)
    assert confirm_page.status_code == 200
    assert "This cannot be undone." in confirm_page.get_data(as_text=True)

    unconfirmed = _erase(admin, world.colleague_b.id, confirm=False)
    assert unconfirmed.status_code == 400  # type: ignore[attr-defined]
    assert "Tick the box to confirm." in unconfirmed.get_data(as_text=True)  # type: ignore[attr-defined]
    db.expire_all()
    assert db.get(Person, world.colleague_b.id).email == "colleague-b@example.org"  # type: ignore[union-attr]

    done = _erase(admin, world.colleague_b.id)
    assert done.status_code == 302  # type: ignore[attr-defined]
    db.expire_all()
    erased = db.get(Person, world.colleague_b.id)
    assert erased is not None and erased.name == "" and erased.email.endswith("@invalid")
    assert db.scalar(select(ModuleCompletion).where(ModuleCompletion.person_id == erased.id)) is not None
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "person.erase"))
    assert event is not None and event.details == {} and event.target == f"person:{erased.id}"
    page = admin.get(f"/admin/people/{erased.id}", headers=EN).get_data(as_text=True)
    assert "(name erased)" in page and "was erased on" in page and "colleague-b@example.org" not in page
    assert "Colleague B" not in admin.get("/admin/audit", headers=EN).get_data(as_text=True)

    assert victim.get("/learn/").status_code == 302  # their session ended
    again = app.test_client()
    response = again.post(
        "/auth/login",
        data={"email": "colleague-b@example.org", "password": PASSWORD, "csrf_token": csrf_token(again)},
    )
    assert response.status_code == 401


def test_erasing_needs_a_csrf_token(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "admin@example.org")
    response = client.post(f"/admin/people/{world.colleague_b.id}/erase", data={"confirm": "y"})
    assert response.status_code == 400
    db.expire_all()
    assert db.get(Person, world.colleague_b.id).name == "Colleague B"  # type: ignore[union-attr]


def test_an_admin_cannot_erase_themselves(client: FlaskClient, world: World) -> None:
    login(client, "admin@example.org")
    response = _erase(client, world.admin.id)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "You cannot erase your own account." in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_a_certificate_of_an_erased_person_no_longer_names_them(
    app: Flask, client: FlaskClient, world: World, db: Session
) -> None:
    db.add(
        ModuleCompletion(
            person_id=world.colleague_b.id, module_slug="basis", content_version="v1", verification_code="ABCD2345EFGH"
        )
    )
    db.commit()
    assert "Colleague B" in client.get("/verify/ABCD2345EFGH", headers=EN).get_data(as_text=True)
    login(client, "admin@example.org")
    _erase(client, world.colleague_b.id)
    page = client.get("/verify/ABCD2345EFGH", headers=EN).get_data(as_text=True)
    assert "Colleague B" not in page and "(name erased)" in page
