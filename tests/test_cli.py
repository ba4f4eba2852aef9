"""Flask commands: demo data, admin account, content check."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.models import OrganisationUnit, Person, Role
from elearning.services.accounts import authenticate
from elearning.services.demo import DEMO_LOGINS, DEMO_PASSWORD

from .conftest import TEST_CONTENT


def test_demo_load_is_idempotent(app: Flask, db: Session) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "hr@example.org" in first.output and DEMO_PASSWORD in first.output
    people = db.scalar(select(func.count()).select_from(Person))
    units = db.scalar(select(func.count()).select_from(OrganisationUnit))
    assert people is not None and people >= 20 and units is not None and units >= 8
    second = runner.invoke(args=["demo", "load"])
    assert "0 unit(s) and 0 person(s) created" in second.output
    assert db.scalar(select(func.count()).select_from(Person)) == people
    for demo in DEMO_LOGINS:
        assert authenticate(db, demo.email, DEMO_PASSWORD) is not None, demo.email
    hr = db.scalar(select(Person).where(Person.email == "hr@example.org"))
    assert hr is not None and hr.has_role(Role.HR)


def test_demo_refused_in_production(app: Flask) -> None:
    app.config["ENV_NAME"] = "production"
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "production" in result.output


def test_create_admin(app: Flask, db: Session) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "boss@example.org", "--name", "Boss"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    person = authenticate(db, "boss@example.org", "a long enough password")
    assert person is not None and person.has_role(Role.ADMIN)


def test_create_admin_rejects_a_short_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "boss@example.org", "--name", "Boss"], input="short\nshort\n"
    )
    assert result.exit_code != 0 and "12" in result.output


def test_content_check_passes_on_valid_content(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["content", "check", str(TEST_CONTENT)])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_content_check_fails_on_broken_content(app: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "kapot"
    broken.mkdir()
    (broken / "module.md").write_text("---\ntitel: Kapot\n---\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "kapot/module.md:" in result.output
