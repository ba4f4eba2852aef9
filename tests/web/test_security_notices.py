"""A changed password is told to its owner by e-mail (ASVS 2.2.3, 2.5.5): when, and how to take the account back."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from elearning.mail import Mail, MailError
from elearning.models import utcnow
from elearning.services.accounts import authenticate
from elearning.services.invitations import send_invitation

from ..conftest import PASSWORD, World, csrf_token, login

EN = {"Accept-Language": "en"}
NEW = "een nieuw en lang wachtwoord"


def change_password(client: FlaskClient) -> int:
    data = {"current": PASSWORD, "password": NEW, "confirm": NEW, "csrf_token": csrf_token(client, "/auth/password")}
    return client.post("/auth/password", data=data, headers=EN).status_code


def assert_notice(mail: Mail, to: str) -> None:
    assert mail.to == to
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", mail.body)  # when
    assert "/auth/reset\n" in mail.body  # how to take the account back: the page, not a link that does anything
    assert PASSWORD not in mail.body and NEW not in mail.body
    assert not re.search(r"/auth/(reset|invitation)/[A-Za-z0-9_-]{20,}", mail.body)  # no token


def test_changing_ones_password_sends_a_notice(
    client: FlaskClient, world: World, db: Session, outbox: list[Mail]
) -> None:
    world.employee.preferred_language = "en"
    db.commit()
    login(client, "employee@example.org")
    assert change_password(client) == 302
    (notice,) = outbox
    assert_notice(notice, "employee@example.org")
    assert notice.subject == "Your password for the e-learning on social safety at work was changed"
    assert "Was it not you?" in notice.body


def test_a_password_reset_by_link_sends_a_notice_in_the_persons_language(
    client: FlaskClient, world: World, db: Session, outbox: list[Mail]
) -> None:
    world.employee.preferred_language = "nl"
    db.commit()
    client.post("/auth/reset", data={"email": "employee@example.org", "csrf_token": csrf_token(client, "/auth/reset")})
    path = re.search(r"(/auth/reset/[A-Za-z0-9_-]+)", outbox[0].body).group(1)  # type: ignore[union-attr]
    data = {"password": NEW, "confirm": NEW, "csrf_token": csrf_token(client, path)}
    assert client.post(path, data=data).status_code == 302
    _link, notice = outbox
    assert_notice(notice, "employee@example.org")
    assert "wachtwoord" in notice.subject.lower() and "Dear" not in notice.body


def test_a_first_password_through_an_invitation_sends_no_notice(
    app: Flask, world: World, db: Session, outbox: list[Mail]
) -> None:
    with app.app_context():
        send_invitation(db, app.extensions["mail_sender"], world.colleague_b, actor=world.admin, now=utcnow(), days=14)
        db.commit()
    client = app.test_client()
    path = re.search(r"(/auth/invitation/[A-Za-z0-9_-]+)", outbox[0].body).group(1)  # type: ignore[union-attr]
    data = {"password": NEW, "confirm": NEW, "csrf_token": csrf_token(client, path)}
    assert client.post(path, data=data).status_code == 302
    assert len(outbox) == 1


def test_a_notice_that_cannot_be_sent_does_not_undo_the_change(
    app: Flask,
    client: FlaskClient,
    world: World,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_mail: Mail) -> None:
        raise MailError("relay down")

    monkeypatch.setattr(app.extensions["mail_sender"], "send", broken)
    login(client, "employee@example.org")
    with caplog.at_level(logging.WARNING):
        assert change_password(client) == 302
    db.expire_all()
    assert authenticate(db, "employee@example.org", NEW) is not None
    assert f"password-changed notice for person {world.employee.id} could not be sent" in caplog.text
