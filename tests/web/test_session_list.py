"""Where am I logged in: my sessions listed, and all others ended after typing my password (ASVS 3.3.4)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, LoginSession

from ..conftest import PASSWORD, World, csrf_token, login

EN = {"Accept-Language": "en"}


def logged_in(client: FlaskClient) -> bool:
    return client.get("/learn/").status_code == 200


def end_others(client: FlaskClient, password: str) -> int:
    data = {"current": password, "csrf_token": csrf_token(client, "/auth/sessions")}
    return client.post("/auth/sessions", data=data, headers=EN).status_code


def test_my_sessions_are_listed_with_this_one_marked(app: Flask, world: World) -> None:
    here, phone = app.test_client(), app.test_client()
    login(here, "employee@example.org")
    login(phone, "employee@example.org")
    login(app.test_client(), "manager@example.org")  # someone else's session is not mine to see
    assert 'href="/auth/sessions"' in here.get("/me/", headers=EN).get_data(as_text=True)
    page = here.get("/auth/sessions", headers=EN)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert body.count("This browser") == 1 and body.count("Another browser or device") == 1


def test_others_end_after_typing_the_password_and_this_one_stays(app: Flask, world: World, db: Session) -> None:
    here, phone, laptop = app.test_client(), app.test_client(), app.test_client()
    for client in (here, phone, laptop):
        login(client, "employee@example.org")
    other_person = app.test_client()
    login(other_person, "manager@example.org")
    assert end_others(here, PASSWORD) == 302
    assert "2 other sessions ended." in here.get("/auth/sessions", headers=EN).get_data(as_text=True)
    assert logged_in(here) and not logged_in(phone) and not logged_in(laptop)
    assert logged_in(other_person)
    rows = db.scalars(select(LoginSession).where(LoginSession.person_id == world.employee.id)).all()
    assert len(rows) == 1
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "person.sessions_end"))
    assert event is not None and event.details == {"sessions_ended": 2}


def test_a_wrong_password_ends_nothing_and_counts_as_a_failed_login(app: Flask, world: World) -> None:
    here, phone = app.test_client(), app.test_client()
    login(here, "employee@example.org")
    login(phone, "employee@example.org")
    assert end_others(here, "not my password at all") == 400
    assert logged_in(phone)
    for _ in range(5):
        end_others(here, "not my password at all")
    response = here.post(
        "/auth/sessions", data={"current": PASSWORD, "csrf_token": csrf_token(here, "/auth/sessions")}, headers=EN
    )
    assert response.status_code == 400 and "Too many wrong passwords" in response.get_data(as_text=True)
    assert logged_in(phone)


def test_the_page_needs_a_login(client: FlaskClient, world: World) -> None:
    response = client.get("/auth/sessions")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
