"""Flask commands: demo data, admin account, content check."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.models import LtiPlatform, ModuleCompletion, OrganisationUnit, Person, Role
from elearning.services.accounts import authenticate
from elearning.services.demo import DEMO_LOGINS, DEMO_PASSWORD
from elearning.services.demo_crowd import CROWD
from elearning.services.lti import tool_key

from .conftest import TEST_CONTENT


def test_demo_load_is_idempotent(app: Flask, db: Session) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "hr@example.org" in first.output and DEMO_PASSWORD in first.output
    people = db.scalar(select(func.count()).select_from(Person))
    units = db.scalar(select(func.count()).select_from(OrganisationUnit))
    assert people is not None and people >= 20 + CROWD and units is not None and units >= 8
    assert db.scalar(select(func.count()).select_from(ModuleCompletion)), "the crowd's history"
    assert db.scalar(select(func.count()).select_from(LtiPlatform)) == 1, "the demo LMS on the LTI admin page"
    kid = tool_key.load(Path(app.config["LTI_KEY_FILE"])).kid  # type: ignore[union-attr]
    assert kid in first.output
    second = runner.invoke(args=["demo", "load"])
    assert "0 unit(s), 0 person(s) and 0 assignment(s) created" in second.output
    assert kid in second.output  # the same key
    assert db.scalar(select(func.count()).select_from(LtiPlatform)) == 1
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


def test_content_check_warns_about_plain_language_without_failing(app: Flask) -> None:
    root = Path(__file__).parent / "content" / "fixtures" / "broken" / "plain-language"
    result = app.test_cli_runner().invoke(args=["content", "check", str(root)])
    assert result.exit_code == 0, result.output
    assert "plain-language/01-les.nl.md:3: warning: plain language: sentence of 30 words" in result.output
    assert "0 error(s), 3 warning(s) (3 about plain language in Dutch lessons)" in result.output


def test_content_check_fails_on_broken_content(app: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "kapot"
    broken.mkdir()
    (broken / "module.md").write_text("---\ntitel: Kapot\n---\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert "kapot/module.md:" in result.output
