"""Logging in and out: generic errors, CSRF, no open redirects."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import Person
from elearning.services.accounts import authenticate, create_admin
from elearning.services.errors import InvalidInput

from ..conftest import PASSWORD, World, csrf_token, login


def test_login_then_dashboard(client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    page = client.get("/learn/")
    assert page.status_code == 200
    assert "Employee" in page.get_data(as_text=True)


def test_email_is_case_insensitive(client: FlaskClient, world: World) -> None:
    login(client, "  Employee@Example.ORG ")


@pytest.mark.parametrize(
    ("email", "password"),
    [("employee@example.org", "wrong password!!"), ("nobody@example.org", PASSWORD)],
    ids=["wrong-password", "unknown-user"],
)
def test_failed_login_is_generic(client: FlaskClient, world: World, email: str, password: str) -> None:
    response = client.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "E-mail address or password is not correct." in body
    assert "does not exist" not in body and "unknown" not in body.lower()
    assert client.get("/learn/").status_code == 302  # still logged out


def test_inactive_person_cannot_log_in(client: FlaskClient, world: World, db: Session) -> None:
    world.employee.active = False
    db.commit()
    response = client.post(
        "/auth/login",
        data={"email": "employee@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 401


def test_login_without_csrf_token_is_refused_kindly(client: FlaskClient, world: World) -> None:
    response = client.post(
        "/auth/login",
        data={"email": "employee@example.org", "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert client.get("/learn/").status_code == 302


def test_forged_csrf_token_is_refused(client: FlaskClient, world: World) -> None:
    response = client.post(
        "/auth/login", data={"email": "employee@example.org", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_login_redirects_only_within_the_site(client: FlaskClient, world: World) -> None:
    token = csrf_token(client)
    response = client.post(
        "/auth/login",
        data={
            "email": "employee@example.org",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/phish",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/learn/"


def test_login_follows_a_local_next(client: FlaskClient, world: World) -> None:
    response = client.get("/learn/basis/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    token = csrf_token(client)
    response = client.post(
        "/auth/login",
        data={"email": "employee@example.org", "password": PASSWORD, "csrf_token": token, "next": "/learn/basis/"},
    )
    assert response.headers["Location"] == "/learn/basis/"


def test_logout_needs_post_with_csrf(client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400  # no token
    assert client.get("/learn/").status_code == 200
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/learn/")})
    assert client.get("/learn/").status_code == 302


def test_passwords_are_argon2id(world: World) -> None:
    assert world.employee.password_hash is not None
    assert world.employee.password_hash.startswith("$argon2id$")


def test_create_admin_rules(db: Session) -> None:
    with pytest.raises(InvalidInput):
        create_admin(db, "admin@example.org", "Admin", "short")
    with pytest.raises(InvalidInput):
        create_admin(db, "not-an-email", "Admin", "long enough password")
    person = create_admin(db, "Admin@Example.org", "Admin", "long enough password")
    db.commit()
    assert person.email == "admin@example.org"
    assert authenticate(db, "admin@example.org", "long enough password") is person
    create_admin(db, "admin@example.org", "Admin", "another long password")  # idempotent: no second person
    db.commit()
    assert len(db.scalars(select(Person)).all()) == 1


def test_login_logs_no_personal_data(app: Flask, world: World, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        login(app.test_client(), "employee@example.org")
        other = app.test_client()
        other.post(
            "/auth/login", data={"email": "hr-a@example.org", "password": "x" * 12, "csrf_token": csrf_token(other)}
        )
    assert "login failed" in caplog.text and "login succeeded" in caplog.text
    assert "example.org" not in caplog.text
    assert PASSWORD not in caplog.text
