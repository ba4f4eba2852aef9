"""`flask reminders send`: counts only on the terminal, once per reminder, exit 1 when a mail failed."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.mail import Mail
from elearning.models import ReminderSent

from .conftest import World
from .services.test_reminders import FailingSender, assign, enrol


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(ReminderSent)) or 0


def test_send_prints_counts_only_and_sends_once(app: Flask, db: Session, world: World, outbox: list[Mail]) -> None:
    assignment = assign(db, world, escalate_after_days=1)
    enrol(db, assignment, world.employee)
    enrol(db, assignment, world.colleague_b)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders", "send", "--today", "2025-03-18"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == (
        "reminders sent 2 learner mail(s), 1 manager mail(s); 2 missed step(s) skipped; 0 failed"
    )
    for secret in ("@example.org", "Employee", "Colleague", "Manager"):
        assert secret not in first.output
    assert sorted(mail.to for mail in outbox) == [
        "colleague-b@example.org",
        "employee@example.org",
        "manager@example.org",
    ]
    second = runner.invoke(args=["reminders", "send", "--today", "2025-03-18"])
    assert second.exit_code == 0, second.output
    assert "sent 0 learner mail(s), 0 manager mail(s)" in second.output
    assert len(outbox) == 3 and _count(db) == 5


def test_dry_run_counts_without_sending_or_recording(app: Flask, db: Session, world: World, outbox: list[Mail]) -> None:
    enrol(db, assign(db, world), world.employee)
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", "2025-03-10", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "dry run, nothing sent or recorded: would send 1 learner mail(s)" in result.output
    assert outbox == [] and _count(db) == 0


def test_a_failed_mail_exits_1_and_is_retried(
    app: Flask, db: Session, world: World, outbox: list[Mail], monkeypatch: pytest.MonkeyPatch
) -> None:
    enrol(db, assign(db, world), world.employee)
    memory = app.extensions["mail_sender"]
    monkeypatch.setitem(app.extensions, "mail_sender", FailingSender())
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["reminders", "send", "--today", "2025-03-10"])
    assert failed.exit_code == 1
    assert "1 failed" in failed.output and "retried on the next run" in failed.output
    assert "@example.org" not in failed.output
    assert _count(db) == 0
    monkeypatch.setitem(app.extensions, "mail_sender", memory)
    retried = runner.invoke(args=["reminders", "send", "--today", "2025-03-10"])
    assert retried.exit_code == 0, retried.output
    assert [mail.to for mail in outbox] == ["employee@example.org"] and _count(db) == 1


def test_a_bad_date_is_refused_with_a_clear_message(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", "17-03-2025"])
    assert result.exit_code == 2
    assert "--today" in result.output and "%Y-%m-%d" in result.output


def test_without_a_date_it_runs_for_today(app: Flask, world: World, outbox: list[Mail]) -> None:
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 0 learner mail(s), 0 manager mail(s)" in result.output
