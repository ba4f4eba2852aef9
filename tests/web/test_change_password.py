"""Changing one's password: the current one is needed, the rules are explained, wrong guesses are throttled."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from elearning.models import AuditEvent, Person
from elearning.services.accounts import authenticate

from ..conftest import PASSWORD, World, csrf_token, login

EN = {"Accept-Language": "en"}
NEW = "een nieuw en lang wachtwoord"


def change(client: FlaskClient, current: str, new: str, confirm: str | None = None) -> TestResponse:
    data = {"current": current, "password": new, "confirm": new if confirm is None else confirm}
    data["csrf_token"] = csrf_token(client, "/auth/password")
    return client.post("/auth/password", data=data, headers=EN)


def test_the_page_needs_login_and_is_linked_from_my_data(client: FlaskClient, world: World) -> None:
    response = client.get("/auth/password")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login(client, "employee@example.org")
    assert 'href="/auth/password"' in client.get("/me/", headers=EN).get_data(as_text=True)
    page = client.get("/auth/password", headers=EN)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    assert 'autocomplete="current-password"' in body and 'autocomplete="new-password"' in body


def test_a_change_needs_the_current_password(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "employee@example.org")
    response = change(client, "not my password at all", NEW)
    assert response.status_code == 400
    assert "Your current password is not correct." in response.get_data(as_text=True)
    assert authenticate(db, "employee@example.org", PASSWORD) is not None


def test_a_change_is_saved_and_audited(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "employee@example.org")
    response = change(client, PASSWORD, NEW)
    assert response.status_code == 302
    db.expire_all()
    assert authenticate(db, "employee@example.org", NEW) is not None
    assert authenticate(db, "employee@example.org", PASSWORD) is None
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "person.password_change"))
    assert event is not None and event.target == f"person:{world.employee.id}"
    assert "example.org" not in str(event.details)


def test_the_rules_are_explained(client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    cases = {
        "kort": "A password needs at least 12 characters.",
        "wachtwoord2026": "This password is on a list of common passwords that attackers try first.",
        "employee@example.org": "Your password may not be your e-mail address.",
        PASSWORD: "The new password is the same as the current one.",
    }
    for new, message in cases.items():
        response = change(client, PASSWORD, new)
        assert response.status_code == 400, new
        assert message in response.get_data(as_text=True), new
    response = change(client, PASSWORD, NEW, confirm=NEW + "x")
    assert "The two passwords are not the same." in response.get_data(as_text=True)


def test_guessing_the_current_password_is_throttled(client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    for _ in range(5):
        assert change(client, "a wrong guess of the password", NEW).status_code == 400
    response = change(client, PASSWORD, NEW)
    assert response.status_code == 400
    assert "Too many wrong passwords. Try again later." in response.get_data(as_text=True)


def test_no_password_history_or_expiry(client: FlaskClient, world: World, db: Session) -> None:
    """ASVS 2.1.10: an earlier password may come back, and an old password is never forced to change."""
    login(client, "employee@example.org")
    assert change(client, PASSWORD, NEW).status_code == 302
    assert change(client, NEW, PASSWORD).status_code == 302  # back to the earlier one: allowed
    db.expire_all()
    assert authenticate(db, "employee@example.org", PASSWORD) is not None
    assert not {"password_changed_at", "password_expires_at"} & set(Person.__table__.columns.keys())
