"""Flask commands for assignments (sync for cron, list) and the demo assignments."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import Assignment, Enrolment, Person
from elearning.services.demo import load_demo
from elearning.services.enrolments import OVERDUE, current_enrolments

from .conftest import TEST_CONTENT, World


def test_sync_prints_counts_and_is_idempotent(app: Flask, world: World, db: Session) -> None:
    db.add(Assignment(module_slug="basis", organisation_id=world.dg_a.id, due_on=date(2026, 6, 1)))
    db.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["assignments", "sync", "--today", "2026-03-02"])
    assert first.exit_code == 0, first.output
    assert "4 enrolled, 0 withdrawn, 0 reopened, 0 completed, 0 next cycle(s) opened" in first.output
    assert db.scalar(select(func.count()).select_from(Enrolment)) == 4
    second = runner.invoke(args=["assignments", "sync", "--today", "2026-03-02"])
    assert "0 enrolled, 0 withdrawn" in second.output


def test_sync_rejects_a_bad_date(app: Flask, world: World) -> None:
    result = app.test_cli_runner().invoke(args=["assignments", "sync", "--today", "02-03-2026"])
    assert result.exit_code == 2 and "--today" in result.output


def test_list(app: Flask, world: World, db: Session) -> None:
    runner = app.test_cli_runner()
    assert "no assignments" in runner.invoke(args=["assignments", "list"]).output
    db.add(Assignment(module_slug="basis", organisation_id=world.dg_a.id, due_on=date(2026, 3, 1)))
    db.add(
        Assignment(
            module_slug="leiding",
            organisation_id=world.ministry.id,
            due_days_after_start=30,
            managers_only=True,
            recurrence_months=24,
        )
    )
    db.commit()
    runner.invoke(args=["assignments", "sync", "--today", "2026-02-01"])
    output = runner.invoke(args=["assignments", "list", "--today", "2026-03-02"]).output
    lines = output.strip().splitlines()
    assert "basis" in lines[0] and "DG-A" in lines[0] and "due 2026-03-01" in lines[0]
    assert "enrolled 4, completed 0, overdue 4" in lines[0]
    assert "30 days after start" in lines[1] and "managers only" in lines[1] and "every 24 months" in lines[1]
    assert "enrolled 1," in lines[1]


def test_demo_assignments_are_idempotent_and_show_overdue(app: Flask, db: Session) -> None:
    catalog = load_catalog(TEST_CONTENT)
    today = date(2026, 3, 2)
    first = load_demo(db, catalog, today)
    db.commit()
    assert first["assignments"] == len(catalog.modules)
    enrolled = db.scalar(select(func.count()).select_from(Enrolment))
    assert enrolled
    second = load_demo(db, catalog, today)
    db.commit()
    assert first["lti_platforms"] == 1
    assert first["care"] > 0  # contacts, exemptions and effect answers
    assert second == {"units": 0, "people": 0, "assignments": 0, "crowd": 0, "care": 0, "lti_platforms": 0}
    assert db.scalar(select(func.count()).select_from(Enrolment)) == enrolled
    manager = db.scalar(select(Person).where(Person.email == "leidinggevende@example.org"))
    assert manager is not None
    statuses = {e.module_slug: e.status for e in current_enrolments(db, today, [manager.id])}
    assert statuses["leiding"] == OVERDUE and statuses["basis"] == "open"
    employee = db.scalar(select(Person).where(Person.email == "medewerker@example.org"))
    assert employee is not None
    assert {e.module_slug for e in current_enrolments(db, today, [employee.id])} == {"basis", "toets"}
