"""Flask commands: `accounts invite --email ADDRESS` and `accounts invite --pending`."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.cli.accounts import accounts_group
from elearning.mail import Mail, MailError
from elearning.models import AccountToken, AuditEvent, Person

from .conftest import World


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    if "accounts" not in app.cli.commands:  # until elearning/cli/__init__.py registers the group
        app.cli.add_command(accounts_group)
    return app.test_cli_runner()


def newcomer(db: Session, world: World, email: str, *, active: bool = True) -> Person:
    person = Person(name="New Person", email=email, organisation=world.team_a1, active=active)
    db.add(person)
    db.commit()
    return person


def test_invite_one_person(runner: FlaskCliRunner, db: Session, world: World, outbox: list[Mail]) -> None:
    person = newcomer(db, world, "new@example.org")
    result = runner.invoke(args=["accounts", "invite", "--email", " New@Example.org "])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "invitation sent to new@example.org (valid 14 days)"
    assert [mail.to for mail in outbox] == ["new@example.org"]
    assert "/auth/invitation/" in outbox[0].body
    assert db.scalar(select(func.count()).select_from(AccountToken).where(AccountToken.person_id == person.id)) == 1
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "person.invite"))
    assert event is not None and event.actor_id is None and event.target == f"person:{person.id}"


def test_invite_an_unknown_or_inactive_person(
    runner: FlaskCliRunner, db: Session, world: World, outbox: list[Mail]
) -> None:
    unknown = runner.invoke(args=["accounts", "invite", "--email", "nobody@example.org"])
    assert unknown.exit_code == 1 and "no person with e-mail address nobody@example.org" in unknown.output
    newcomer(db, world, "gone@example.org", active=False)
    inactive = runner.invoke(args=["accounts", "invite", "--email", "gone@example.org"])
    assert inactive.exit_code == 1 and "Error:" in inactive.output  # the reason is in the default language
    assert outbox == []
    assert db.scalar(select(func.count()).select_from(AccountToken)) == 0


def test_invite_pending_counts_and_names_nobody(
    runner: FlaskCliRunner, db: Session, world: World, outbox: list[Mail]
) -> None:
    for email in ("one@example.org", "two@example.org"):
        newcomer(db, world, email)
    newcomer(db, world, "gone@example.org", active=False)
    first = runner.invoke(args=["accounts", "invite", "--pending"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "2 invitation(s) sent" and "@" not in first.output
    assert sorted(mail.to for mail in outbox) == ["one@example.org", "two@example.org"]
    again = runner.invoke(args=["accounts", "invite", "--pending"])
    assert again.output.strip() == "0 invitation(s) sent"
    assert len(outbox) == 2


@pytest.mark.parametrize(
    "args", [["accounts", "invite"], ["accounts", "invite", "--pending", "--email", "new@example.org"]]
)
def test_invite_needs_exactly_one_choice(runner: FlaskCliRunner, world: World, args: list[str]) -> None:
    result = runner.invoke(args=args)
    assert result.exit_code == 2 and "either --email ADDRESS or --pending" in result.output


def test_a_mail_failure_keeps_no_token(app: Flask, runner: FlaskCliRunner, db: Session, world: World) -> None:
    newcomer(db, world, "new@example.org")

    class Down:
        def send(self, mail: Mail) -> None:
            raise MailError("relay down")

    app.extensions["mail_sender"] = Down()
    for args in (["--email", "new@example.org"], ["--pending"]):
        result = runner.invoke(args=["accounts", "invite", *args])
        assert result.exit_code == 1 and "Error:" in result.output
        assert "@" not in result.output
    assert db.scalar(select(func.count()).select_from(AccountToken)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 0
