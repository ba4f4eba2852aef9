"""Invitation and reset tokens: one-time, expiring, hashed, and mailed in the person's language."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from babel.dates import format_date
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.mail import Mail, MailError, MemorySender
from elearning.models import AccountToken, AuditEvent, Person, TokenPurpose
from elearning.services.accounts import authenticate
from elearning.services.errors import InvalidInput
from elearning.services.invitations import (
    MailNotSent,
    TokenError,
    check_token,
    invite_pending,
    redeem,
    request_password_reset,
    send_invitation,
)

from ..conftest import PASSWORD, World

NOW = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
DAYS = 14
MINUTES = 60
NEW_PASSWORD = "a brand new long password"
TOKEN_IN_LINK = re.compile(r"http://127\.0\.0\.1:5000/auth/(invitation|reset)/([A-Za-z0-9_-]+)")


def token_of(mail: Mail) -> str:
    match = TOKEN_IN_LINK.search(mail.body)
    assert match, mail.body
    return match.group(2)


class FailingSender:
    """A relay that is down."""

    def send(self, mail: Mail) -> None:
        raise MailError("relay down")


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """A context to render mails in, messages read in English (tests/test_cli_accounts.py sends without a request)."""
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def sender(outbox: list[Mail], app: Flask) -> MemorySender:
    sent = app.extensions["mail_sender"]
    assert isinstance(sent, MemorySender)
    return sent


def newcomer(db: Session, world: World, email: str = "new@example.org", **fields: object) -> Person:
    person = Person(name="New Person", email=email, organisation=world.team_a1, **fields)
    db.add(person)
    db.flush()
    return person


@pytest.mark.parametrize(("language", "expiry"), [("nl", "6 maart 2026"), ("en", "March 6, 2026")])
def test_invitation_is_mailed_in_the_preferred_language(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail], language: str, expiry: str
) -> None:
    person = newcomer(db, world, preferred_language=language)
    send_invitation(db, sender, person, actor=world.hr_a, now=NOW, days=DAYS)
    db.commit()
    (mail,) = outbox
    assert mail.to == "new@example.org" and mail.subject
    assert mail.body.count("/auth/invitation/") == 1
    assert expiry == format_date(NOW + timedelta(days=DAYS), "long", locale=language)
    assert expiry in mail.body, mail.body  # month names come from CLDR, not from our (unfinished) catalogue
    assert "14" in mail.body  # the mail says how long the link works
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "person.invite"))
    assert event is not None and event.target == f"person:{person.id}" and event.actor_id == world.hr_a.id
    assert "new@example.org" not in str(event.details)


def test_only_the_hash_of_the_token_is_stored(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    person = newcomer(db, world)
    send_invitation(db, sender, person, actor=None, now=NOW, days=DAYS)
    token = token_of(outbox[0])
    assert len(token) >= 43  # 32 random bytes
    (row,) = db.scalars(select(AccountToken)).all()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in vars(row).values()}
    assert row.expires_at == NOW + timedelta(days=DAYS) and row.used_at is None


def test_redeem_sets_the_password_once(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    person = newcomer(db, world)
    send_invitation(db, sender, person, actor=None, now=NOW, days=DAYS)
    token = token_of(outbox[0])
    assert check_token(db, token, TokenPurpose.INVITATION, NOW + timedelta(days=1)) is person
    assert redeem(db, token, TokenPurpose.INVITATION, NEW_PASSWORD, NOW + timedelta(days=1)) is person
    db.commit()
    assert authenticate(db, "new@example.org", NEW_PASSWORD) is person
    for attempt in (
        lambda: check_token(db, token, TokenPurpose.INVITATION, NOW + timedelta(days=1)),
        lambda: redeem(db, token, TokenPurpose.INVITATION, "yet another password", NOW + timedelta(days=1)),
    ):
        with pytest.raises(TokenError, match="already been used") as problem:
            attempt()
        assert problem.value.reason == "used" and problem.value.person_id == person.id
    assert authenticate(db, "new@example.org", NEW_PASSWORD) is person


def test_an_expired_link_is_refused(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    person = newcomer(db, world)
    send_invitation(db, sender, person, actor=None, now=NOW, days=DAYS)
    token = token_of(outbox[0])
    later = NOW + timedelta(days=DAYS)
    with pytest.raises(TokenError, match="expired") as problem:
        redeem(db, token, TokenPurpose.INVITATION, NEW_PASSWORD, later)
    assert problem.value.reason == "expired" and problem.value.person_id is None
    assert check_token(db, token, TokenPurpose.INVITATION, later - timedelta(seconds=1)) is person


@pytest.mark.parametrize("token", ["forged-token-value", "", "x" * 500])
def test_a_forged_link_is_unknown(ctx: None, db: Session, world: World, token: str) -> None:
    with pytest.raises(TokenError, match="not valid") as problem:
        check_token(db, token, TokenPurpose.INVITATION, NOW)
    assert problem.value.reason == "unknown"


def test_a_link_works_only_for_its_purpose(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    send_invitation(db, sender, newcomer(db, world), actor=None, now=NOW, days=DAYS)
    request_password_reset(db, sender, "employee@example.org", now=NOW, minutes=MINUTES)
    invitation, reset = (token_of(mail) for mail in outbox)
    with pytest.raises(TokenError, match="not valid"):
        redeem(db, invitation, TokenPurpose.PASSWORD_RESET, NEW_PASSWORD, NOW)
    with pytest.raises(TokenError, match="not valid"):
        redeem(db, reset, TokenPurpose.INVITATION, NEW_PASSWORD, NOW)


def test_inactive_people_are_not_invited_and_cannot_redeem(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    gone = newcomer(db, world, email="gone@example.org", active=False)
    with pytest.raises(InvalidInput, match="not active"):
        send_invitation(db, sender, gone, actor=None, now=NOW, days=DAYS)
    person = newcomer(db, world)
    send_invitation(db, sender, person, actor=None, now=NOW, days=DAYS)
    person.active = False
    db.flush()
    with pytest.raises(TokenError, match="not valid"):
        redeem(db, token_of(outbox[0]), TokenPurpose.INVITATION, NEW_PASSWORD, NOW)
    assert person.password_hash is None
    request_password_reset(db, sender, "new@example.org", now=NOW, minutes=MINUTES)
    assert len(outbox) == 1


def test_a_person_without_e_mail_cannot_be_invited(ctx: None, db: Session, world: World, sender: MemorySender) -> None:
    with pytest.raises(InvalidInput, match="no e-mail address"):
        send_invitation(db, sender, newcomer(db, world, email=""), actor=None, now=NOW, days=DAYS)


def test_a_new_invitation_kills_the_old_one(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    person = newcomer(db, world)
    send_invitation(db, sender, person, actor=None, now=NOW, days=DAYS)
    send_invitation(db, sender, person, actor=None, now=NOW + timedelta(minutes=1), days=DAYS)
    old, new = (token_of(mail) for mail in outbox)
    with pytest.raises(TokenError, match="already been used"):
        check_token(db, old, TokenPurpose.INVITATION, NOW + timedelta(minutes=2))
    assert redeem(db, new, TokenPurpose.INVITATION, NEW_PASSWORD, NOW + timedelta(minutes=2)) is person


def test_setting_a_password_closes_every_other_open_link(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    person = newcomer(db, world)
    send_invitation(db, sender, person, actor=None, now=NOW, days=DAYS)
    request_password_reset(db, sender, "new@example.org", now=NOW, minutes=MINUTES)
    invitation, reset = (token_of(mail) for mail in outbox)
    redeem(db, reset, TokenPurpose.PASSWORD_RESET, NEW_PASSWORD, NOW)
    with pytest.raises(TokenError, match="already been used"):
        check_token(db, invitation, TokenPurpose.INVITATION, NOW)
    assert db.scalar(select(func.count()).select_from(AccountToken).where(AccountToken.used_at.is_(None))) == 0
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "person.password_set"))
    assert event is not None and event.details == {"purpose": "password_reset"}


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short pass", "at least 12 characters"), ("NEW@example.org ", "not be your e-mail address")],
    ids=["too-short", "the-e-mail-address"],
)
def test_password_rules_keep_the_link_usable(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail], password: str, problem: str
) -> None:
    person = newcomer(db, world)
    send_invitation(db, sender, person, actor=None, now=NOW, days=DAYS)
    db.commit()
    token = token_of(outbox[0])
    with pytest.raises(InvalidInput, match=problem) as error:
        redeem(db, token, TokenPurpose.INVITATION, password, NOW)
    assert not isinstance(error.value, TokenError)
    db.rollback()
    assert check_token(db, token, TokenPurpose.INVITATION, NOW).password_hash is None


def test_reset_for_an_unknown_address_does_nothing(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    request_password_reset(db, sender, "nobody@example.org", now=NOW, minutes=MINUTES)
    assert outbox == []
    assert db.scalar(select(func.count()).select_from(AccountToken)) == 0


def test_reset_is_throttled_per_address(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    request_password_reset(db, sender, " Employee@Example.org", now=NOW, minutes=MINUTES)
    request_password_reset(db, sender, "employee@example.org", now=NOW + timedelta(minutes=4), minutes=MINUTES)
    assert len(outbox) == 1
    db.commit()
    request_password_reset(db, sender, "employee@example.org", now=NOW + timedelta(minutes=5), minutes=MINUTES)
    assert len(outbox) == 2 and outbox[1].to == "employee@example.org"
    first, second = (token_of(mail) for mail in outbox)
    later = NOW + timedelta(minutes=6)
    with pytest.raises(TokenError, match="already been used"):
        check_token(db, first, TokenPurpose.PASSWORD_RESET, later)
    with pytest.raises(TokenError, match="expired"):
        check_token(db, second, TokenPurpose.PASSWORD_RESET, NOW + timedelta(minutes=5 + MINUTES))
    redeem(db, second, TokenPurpose.PASSWORD_RESET, NEW_PASSWORD, later)
    assert authenticate(db, "employee@example.org", NEW_PASSWORD) is world.employee
    assert authenticate(db, "employee@example.org", PASSWORD) is None


def test_invite_pending_invites_each_person_once(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    fresh = newcomer(db, world, email="fresh@example.org")
    newcomer(db, world, email="inactive@example.org", active=False)
    lapsed = newcomer(db, world, email="lapsed@example.org")
    waiting = newcomer(db, world, email="waiting@example.org")
    send_invitation(db, sender, lapsed, actor=None, now=NOW - timedelta(days=DAYS + 1), days=DAYS)
    send_invitation(db, sender, waiting, actor=None, now=NOW - timedelta(days=1), days=DAYS)
    outbox.clear()
    assert invite_pending(db, sender, now=NOW, days=DAYS) == 2
    assert sorted(mail.to for mail in outbox) == ["fresh@example.org", "lapsed@example.org"]
    assert invite_pending(db, sender, now=NOW + timedelta(hours=1), days=DAYS) == 0
    redeem(db, token_of(outbox[0]), TokenPurpose.INVITATION, NEW_PASSWORD, NOW)
    assert fresh.password_hash is not None
    assert invite_pending(db, sender, now=NOW + timedelta(days=DAYS + 1), days=DAYS) == 2  # lapsed and waiting again


def test_a_failed_mail_leaves_no_usable_token(
    ctx: None, db: Session, world: World, sender: MemorySender, outbox: list[Mail]
) -> None:
    person = newcomer(db, world)
    send_invitation(db, sender, person, actor=None, now=NOW, days=DAYS)
    db.commit()
    with pytest.raises(MailNotSent, match="could not be sent") as error:
        send_invitation(db, FailingSender(), person, actor=None, now=NOW + timedelta(minutes=1), days=DAYS)
    assert isinstance(error.value, InvalidInput)
    assert db.scalar(select(func.count()).select_from(AccountToken)) == 1  # only the first, still open
    assert check_token(db, token_of(outbox[0]), TokenPurpose.INVITATION, NOW + timedelta(minutes=2)) is person
    with pytest.raises(MailNotSent):
        request_password_reset(db, FailingSender(), "employee@example.org", now=NOW, minutes=MINUTES)
    assert db.scalar(select(func.count()).select_from(AccountToken)) == 1
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "person.invite")) == 1


def test_invite_pending_stops_at_a_mail_failure_and_keeps_what_was_sent(
    ctx: None, db: Session, world: World, outbox: list[Mail]
) -> None:
    for email in ("one@example.org", "two@example.org", "three@example.org"):
        newcomer(db, world, email=email)

    class FailsOnSecond:
        def __init__(self) -> None:
            self.count = 0

        def send(self, mail: Mail) -> None:
            self.count += 1
            if self.count == 2:
                raise MailError("relay down")

    with pytest.raises(MailNotSent, match="after 1 invitation") as error:
        invite_pending(db, FailsOnSecond(), now=NOW, days=DAYS)
    assert error.value.sent == 1
    assert db.scalar(select(func.count()).select_from(AccountToken)) == 1


def test_tokens_and_addresses_stay_out_of_the_log(
    ctx: None,
    db: Session,
    world: World,
    sender: MemorySender,
    outbox: list[Mail],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        person = newcomer(db, world)
        send_invitation(db, sender, person, actor=None, now=NOW, days=DAYS)
        redeem(db, token_of(outbox[0]), TokenPurpose.INVITATION, NEW_PASSWORD, NOW)
        request_password_reset(db, sender, "employee@example.org", now=NOW, minutes=MINUTES)
        with pytest.raises(MailNotSent):
            request_password_reset(db, FailingSender(), "hr-a@example.org", now=NOW, minutes=MINUTES)
    assert "example.org" not in caplog.text
    for mail in outbox:
        assert token_of(mail) not in caplog.text
