"""Forgot your password: the same answer for every address, one mail per five minutes, a one-time short-lived link."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from elearning.mail import Mail
from elearning.models import AccountToken, utcnow
from elearning.services import invitations
from elearning.services.accounts import authenticate
from elearning.services.invitations import request_password_reset

from ..conftest import PASSWORD, World, csrf_token, login

NEW_PASSWORD = "a fresh and long password"
LINK = re.compile(r"http://127\.0\.0\.1:5000(/auth/reset/[A-Za-z0-9_-]+)")
EN = {"Accept-Language": "en"}
CONFIRMATION = "If this e-mail address belongs to an account, we have sent it a link to choose a new password."


def ask(client: FlaskClient, email: str, **extra: str) -> TestResponse:
    data = {"email": email, **extra}
    if "csrf_token" not in extra:
        data["csrf_token"] = csrf_token(client, "/auth/reset")
    return client.post("/auth/reset", data=data, headers=EN)


def link_of(mail: Mail) -> str:
    match = LINK.search(mail.body)
    assert match, mail.body
    return match.group(1)


def choose(client: FlaskClient, path: str, password: str = NEW_PASSWORD) -> TestResponse:
    data = {"password": password, "confirm": password, "csrf_token": csrf_token(client, path)}
    return client.post(path, data=data, headers=EN)


def test_login_page_links_to_the_reset_form(client: FlaskClient) -> None:
    login_page = client.get("/auth/login", headers=EN).get_data(as_text=True)
    assert 'href="/auth/reset"' in login_page and "Forgot your password?" in login_page
    form = client.get("/auth/reset", headers=EN)
    assert form.status_code == 200 and 'autocomplete="username"' in form.get_data(as_text=True)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_reset_to_dashboard(
    app: Flask,
    client: FlaskClient,
    db: Session,
    world: World,
    outbox: list[Mail],
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    world.employee.preferred_language = language
    db.commit()
    languages: list[str | None] = []
    compose = invitations.compose

    def spy(template: str, to: str, lang: str | None, **context: object) -> Mail:
        languages.append(lang)
        return compose(template, to, lang, **context)

    monkeypatch.setattr(invitations, "compose", spy)
    asked = ask(client, "employee@example.org")
    assert asked.status_code == 302 and asked.headers["Location"] == "/auth/login"
    assert CONFIRMATION in client.get("/auth/login", headers=EN).get_data(as_text=True)
    (mail,) = outbox
    assert mail.to == "employee@example.org" and languages == [language]
    assert "60" in mail.body  # the mail says how long the link works

    path = link_of(mail)
    page = client.get(path, headers=EN)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "Choose a new password" in page.get_data(as_text=True)
    done = choose(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/learn/"
    assert client.get("/learn/").status_code == 200
    db.expire_all()
    assert authenticate(db, "employee@example.org", NEW_PASSWORD) is not None
    assert authenticate(db, "employee@example.org", PASSWORD) is None


def test_unknown_and_known_addresses_get_the_same_answer(
    app: Flask, db: Session, world: World, outbox: list[Mail]
) -> None:
    answers = []
    for email in ("employee@example.org", "nobody@example.org"):
        client = app.test_client()
        response = ask(client, email)
        page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
        flashed = re.search(r'<p class="message message-info"[^>]*>([^<]*)</p>', page)
        answers.append((response.status_code, response.headers["Location"], flashed and flashed.group(1)))
    assert answers[0] == answers[1] and answers[0][2] and CONFIRMATION in answers[0][2]
    assert [mail.to for mail in outbox] == ["employee@example.org"]
    assert db.scalar(select(func.count()).select_from(AccountToken)) == 1


def test_an_inactive_person_gets_no_mail(client: FlaskClient, db: Session, world: World, outbox: list[Mail]) -> None:
    world.employee.active = False
    db.commit()
    assert ask(client, "employee@example.org").status_code == 302
    assert outbox == []


def test_reset_mails_are_throttled(app: Flask, db: Session, world: World, outbox: list[Mail]) -> None:
    first, second = app.test_client(), app.test_client()
    assert ask(first, "employee@example.org").status_code == 302
    assert ask(second, "EMPLOYEE@example.org").status_code == 302
    assert len(outbox) == 1
    # Five minutes later another mail may go; the earlier link stops working.
    token = db.scalars(select(AccountToken)).one()
    token.created_at = utcnow() - timedelta(minutes=5)
    db.commit()
    assert ask(second, "employee@example.org").status_code == 302
    assert len(outbox) == 2
    old = first.get(link_of(outbox[0]), headers=EN)
    assert old.status_code == 410 and "already been used" in old.get_data(as_text=True)
    assert first.get(link_of(outbox[1])).status_code == 200


def test_an_expired_reset_link(app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail]) -> None:
    with app.test_request_context():
        request_password_reset(
            db, app.extensions["mail_sender"], "employee@example.org", now=utcnow() - timedelta(hours=2), minutes=60
        )
    db.commit()
    path = link_of(outbox[0])
    page = client.get(path, headers=EN)
    assert page.status_code == 410 and page.headers["Referrer-Policy"] == "no-referrer"
    body = page.get_data(as_text=True)
    assert "This link has expired." in body and 'href="/auth/reset"' in body and "Ask for a new link" in body
    assert choose(client, path).status_code == 410


def test_a_reset_link_works_once(app: Flask, db: Session, world: World, outbox: list[Mail]) -> None:
    ask(app.test_client(), "employee@example.org")
    path = link_of(outbox[0])
    assert choose(app.test_client(), path).status_code == 302
    other = app.test_client()
    again = other.post(
        path, data={"password": "x" * 20, "confirm": "x" * 20, "csrf_token": csrf_token(other)}, headers=EN
    )
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    db.expire_all()
    assert authenticate(db, "employee@example.org", NEW_PASSWORD) is not None


def test_a_forged_reset_link(client: FlaskClient, world: World) -> None:
    page = client.get("/auth/reset/not-a-real-token", headers=EN)
    assert page.status_code == 404 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "This link is not valid." in page.get_data(as_text=True)


def test_a_reset_link_is_no_invitation_link(client: FlaskClient, world: World, outbox: list[Mail]) -> None:
    ask(client, "employee@example.org")
    path = link_of(outbox[0])
    assert client.get(path.replace("/auth/reset/", "/auth/invitation/")).status_code == 404
    assert client.get(path).status_code == 200


def test_a_short_password_is_refused(client: FlaskClient, db: Session, world: World, outbox: list[Mail]) -> None:
    ask(client, "employee@example.org")
    page = choose(client, link_of(outbox[0]), "short")
    assert page.status_code == 400 and "at least 12 characters" in page.get_data(as_text=True)
    db.expire_all()
    assert authenticate(db, "employee@example.org", PASSWORD) is not None


@pytest.mark.parametrize(("email", "error"), [("", "This field is required."), ("x" * 321, "320")])
def test_a_bad_reset_form_names_the_problem(
    client: FlaskClient, world: World, outbox: list[Mail], email: str, error: str
) -> None:
    page = ask(client, email)
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert error in body and 'href="#email"' in body and 'aria-invalid="true"' in body
    assert outbox == []


def test_reset_without_csrf_token_is_refused(client: FlaskClient, world: World, outbox: list[Mail]) -> None:
    page = client.post("/auth/reset", data={"email": "employee@example.org"}, headers=EN)
    assert page.status_code == 400 and "This form has expired" in page.get_data(as_text=True)
    assert outbox == []


def test_a_reset_closes_an_open_invitation(
    app: Flask, client: FlaskClient, db: Session, world: World, outbox: list[Mail]
) -> None:
    with app.test_request_context():
        invitations.send_invitation(
            db, app.extensions["mail_sender"], world.employee, actor=world.hr_a, now=utcnow(), days=14
        )
    db.commit()
    invitation = re.search(r"http://127\.0\.0\.1:5000(/auth/invitation/\S+)", outbox[0].body)
    assert invitation
    ask(client, "employee@example.org")
    assert choose(client, link_of(outbox[1])).status_code == 302
    assert app.test_client().get(invitation.group(1)).status_code == 410


def test_a_logged_in_person_who_asks_again_is_not_refused(
    client: FlaskClient, world: World, outbox: list[Mail]
) -> None:
    login(client, "employee@example.org")
    assert ask(client, "employee@example.org").status_code == 302
    assert len(outbox) == 1


def test_reset_logs_no_token_and_no_address(
    client: FlaskClient, world: World, outbox: list[Mail], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        ask(client, "employee@example.org")
        ask(client, "nobody@example.org")
        path = link_of(outbox[0])
        client.get(path)
        choose(client, path)
    assert "password set via password_reset link" in caplog.text
    assert path.rsplit("/", 1)[1] not in caplog.text and "example.org" not in caplog.text
