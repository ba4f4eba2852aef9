"""`flask privacy retention`: counts only on the terminal; --dry-run changes nothing."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy.orm import Session

from elearning.models import Person

from .conftest import World


def test_retention_command(app: Flask, db: Session, world: World) -> None:
    world.colleague_b.active, world.colleague_b.end_date = False, date(2023, 6, 30)
    db.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "retention", "--dry-run", "--today", "2026-12-01"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.strip() == (
        "dry run, nothing changed: would anonymise 1 person(s) who left before 2024-12-01; "
        "1 person(s) seen inactive for the first time"
    )
    db.expire_all()
    assert db.get(Person, world.colleague_b.id).name == "Colleague B"  # type: ignore[union-attr]
    real = runner.invoke(args=["privacy", "retention", "--today", "2026-12-01"])
    assert real.exit_code == 0, real.output
    assert real.output.startswith("anonymised 1 person(s) who left before 2024-12-01;")
    for secret in ("@example.org", "Colleague"):
        assert secret not in dry.output + real.output
    db.expire_all()
    assert db.get(Person, world.colleague_b.id).name == ""  # type: ignore[union-attr]


def test_the_period_comes_from_the_configuration(app: Flask, db: Session, world: World) -> None:
    app.config["RETENTION_MONTHS"] = 6
    world.colleague_b.active, world.colleague_b.end_date = False, date(2026, 5, 1)
    db.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "retention", "--dry-run", "--today", "2026-12-01"])
    assert "would anonymise 1 person(s) who left before 2026-06-01" in result.output
