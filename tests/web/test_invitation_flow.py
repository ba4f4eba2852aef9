"""From the invitation mail to a first password and the dashboard; a broken link gets a page that says what to do."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from elearning.mail import Mail
from elearning.models import AccountToken, Person, utcnow
from elearning.services.accounts import authenticate
from elearning.services.invitations import send_invitation

from ..conftest import World, csrf_token, login

NEW_PASSWORD = "my very own long password"
LINK = re.compile(r"http://127\.0\.0\.1:5000(/auth/invitation/[A-Za-z0-9_-]+)")
EN = {"Accept-Language": "en"}


def newcomer(db: Session, world: World, language: str | None = "en", email: str = "new@example.org") -> Person:
    person = Person(name="New Person", email=email, organisation=world.team_a1, preferred_language=language)
    db.add(person)
    db.commit()
    return person


def invite(app: Flask, db: Session, person: Person, outbox: list[Mail], *, days_ago: int = 0) -> str:
    """Send an invitation as HR would, and return the path of its link."""
    with app.test_request_context():
        send_invitation(
            db,
            app.extensions["mail_sender"],
            person,
            actor=None,
            now=utcnow() - timedelta(days=days_ago),
            days=app.config["INVITATION_DAYS"],
        )
    db.commit()
    match = LINK.search(outbox[-1].body)
    assert match, outbox[-1].body
    return match.group(1)


def choose(
    client: FlaskClient, path: str, password: str = NEW_PASSWORD, confirm: str | None = None, **extra: str
) -> TestResponse:
    data = {"password": password, "confirm": password if confirm is None else confirm, **extra}
    if "csrf_token" not in extra:
        data["csrf_token"] = csrf_token(client, path)
    return client.post(path, data=data, headers=EN)


@pytest.mark.parametrize(("language", "heading"), [("nl", "Mijn leren"), ("en", "My learning")])
def test_invitation_to_dashboard(
    app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail], language: str, heading: str
) -> None:
    person = newcomer(db, world, language)
    path = invite(app, db, person, outbox)
    (mail,) = outbox
    row = db.scalar(select(AccountToken).where(AccountToken.person_id == person.id))
    assert row is not None
    assert format_date(row.expires_at, "long", locale=language) in mail.body  # the mail speaks the person's language

    page = client.get(path, headers=EN)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    body = page.get_data(as_text=True)
    assert "Choose your password" in body and "new@example.org" in body
    assert 'autocomplete="new-password"' in body and 'aria-describedby="password-rules"' in body

    done = choose(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/learn/"
    assert done.headers["Referrer-Policy"] == "no-referrer"
    dashboard = client.get("/learn/")
    assert dashboard.status_code == 200
    assert heading in dashboard.get_data(as_text=True)  # logged in, in the person's own language
    db.expire_all()
    assert authenticate(db, "new@example.org", NEW_PASSWORD) is not None
    login(app.test_client(), "new@example.org", NEW_PASSWORD)


def test_double_submit_redirects_the_person_and_explains_to_others(
    app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail]
) -> None:
    path = invite(app, db, newcomer(db, world), outbox)
    token = csrf_token(client, path)
    first = choose(client, path, csrf_token=token)
    assert first.status_code == 302
    again = choose(client, path, csrf_token=token)
    assert again.status_code == 302 and again.headers["Location"] == "/learn/"
    assert client.get(path).status_code == 302

    stranger = app.test_client()
    page = stranger.get(path, headers=EN)
    assert page.status_code == 410 and page.headers["Referrer-Policy"] == "no-referrer"
    body = page.get_data(as_text=True)
    assert "This link has already been used." in body
    assert "Ask your HR department to send you a new invitation." in body and 'href="/auth/reset"' in body
    late = stranger.post(path, data={"password": "x" * 20, "confirm": "x" * 20, "csrf_token": csrf_token(stranger)})
    assert late.status_code == 410
    db.expire_all()
    assert authenticate(db, "new@example.org", NEW_PASSWORD) is not None  # the late post changed nothing


def test_a_used_link_explains_itself_to_someone_else_logged_in(
    app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail]
) -> None:
    path = invite(app, db, newcomer(db, world), outbox)
    assert choose(app.test_client(), path).status_code == 302
    login(client, "employee@example.org")
    page = client.get(path, headers=EN)
    assert page.status_code == 410 and "already been used" in page.get_data(as_text=True)


def test_an_expired_invitation(app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail]) -> None:
    path = invite(app, db, newcomer(db, world), outbox, days_ago=app.config["INVITATION_DAYS"] + 1)
    page = client.get(path, headers=EN)
    assert page.status_code == 410 and page.headers["Referrer-Policy"] == "no-referrer"
    body = page.get_data(as_text=True)
    assert "This link has expired." in body and "Ask your HR department to send you a new invitation." in body
    assert choose(client, path).status_code == 410


@pytest.mark.parametrize("path", ["/auth/invitation/forged-token", "/auth/invitation/" + "A" * 43])
def test_a_forged_link(client: FlaskClient, world: World, path: str) -> None:
    page = client.get(path, headers=EN)
    assert page.status_code == 404 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "This link is not valid." in page.get_data(as_text=True)


def test_an_invitation_link_is_no_reset_link(
    app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail]
) -> None:
    path = invite(app, db, newcomer(db, world), outbox)
    wrong = path.replace("/auth/invitation/", "/auth/reset/")
    assert client.get(wrong, headers=EN).status_code == 404
    assert choose(client, wrong).status_code == 404
    assert client.get(path).status_code == 200


def test_an_inactive_person_cannot_use_the_link(
    app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail]
) -> None:
    person = newcomer(db, world)
    path = invite(app, db, person, outbox)
    person.active = False
    db.commit()
    assert client.get(path, headers=EN).status_code == 404
    assert choose(client, path).status_code == 404
    db.refresh(person)
    assert person.password_hash is None
    assert client.get("/learn/").status_code == 302


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        (NEW_PASSWORD, NEW_PASSWORD + "!", "The two passwords are not the same."),
        ("too short", "too short", "A password needs at least 12 characters."),
        ("new@example.org", "new@example.org", "Your password may not be your e-mail address."),
        ("", "", "This field is required."),
    ],
    ids=["mismatch", "too-short", "e-mail", "empty"],
)
def test_bad_passwords_keep_the_link_usable(
    app: Flask,
    client: FlaskClient,
    db: Session,
    world: World,
    outbox: list[Mail],
    password: str,
    confirm: str,
    message: str,
) -> None:
    person = newcomer(db, world)
    path = invite(app, db, person, outbox)
    page = choose(client, path, password, confirm)
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert message in body and "There is a problem" in body and 'aria-invalid="true"' in body
    assert 'href="#password"' in body or 'href="#confirm"' in body
    assert page.headers["Referrer-Policy"] == "no-referrer"
    db.refresh(person)
    assert person.password_hash is None
    assert client.get("/learn/").status_code == 302
    assert choose(client, path).status_code == 302  # the link still works


def test_missing_csrf_token_is_refused_kindly(
    app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail]
) -> None:
    person = newcomer(db, world)
    path = invite(app, db, person, outbox)
    page = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, headers=EN)
    assert page.status_code == 400 and "without a valid security token" in page.get_data(as_text=True)
    forged = choose(client, path, csrf_token="forged")
    assert forged.status_code == 400 and "Nothing was saved." in forged.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    db.refresh(person)
    assert person.password_hash is None
    assert client.get(path).status_code == 200


def test_logged_in_as_someone_else_the_link_logs_in_its_own_person(
    app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail]
) -> None:
    path = invite(app, db, newcomer(db, world), outbox)
    login(client, "hr-a@example.org")
    assert choose(client, path).status_code == 302
    me = client.get("/me/", headers=EN).get_data(as_text=True)
    assert "new@example.org" in me and "hr-a@example.org" not in me


def test_the_flow_logs_no_token_and_no_address(
    app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        path = invite(app, db, newcomer(db, world), outbox)
        client.get(path)
        choose(client, path)
    token = path.rsplit("/", 1)[1]
    assert "password set via invitation link" in caplog.text
    assert token not in caplog.text and "example.org" not in caplog.text
