"""`flask people import`: dry run, apply, problems with exit status 1, partial and scoped imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, Person
from elearning.services.roster import apply as roster_apply

from ..conftest import FIXTURES, World

ROSTERS = FIXTURES / "rosters"


def _run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["people", "import", *args, "--today", "2026-02-01"])
    return result.exit_code, result.output


def _roster_people(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Person).where(Person.employee_number.is_not(None))) or 0


def test_dry_run_shows_counts_and_rows_and_changes_nothing(app: Flask, world: World, db: Session) -> None:
    code, output = _run(app, str(ROSTERS / "semicolon_bom.csv"), "--dry-run")
    assert code == 0, output
    assert "3 row(s), CSV utf-8-sig ';', full roster, scope: whole organisation" in output
    assert "dry run, nothing changed: would have created 3, updated 0" in output
    assert "created     row 2       1001 Şükrü Öztürk [DG-A-1]" in output
    assert _roster_people(db) == 0


def test_import_then_again_then_month_two(app: Flask, world: World, db: Session) -> None:
    code, output = _run(app, str(ROSTERS / "semicolon_bom.csv"))
    assert code == 0 and "imported: created 3, updated 0, reactivated 0, deactivated 0, unchanged 0" in output
    code, output = _run(app, str(ROSTERS / "semicolon_bom.csv"))
    assert code == 0 and "imported: created 0, updated 0, reactivated 0, deactivated 0, unchanged 3" in output
    code, output = _run(app, str(ROSTERS / "month2.csv"), "--partial")
    assert code == 0 and "created 1, updated 1, reactivated 0, deactivated 1, unchanged 0" in output
    code, output = _run(app, str(ROSTERS / "month2.csv"))
    assert code == 0 and "created 0, updated 0, reactivated 0, deactivated 1, unchanged 3" in output
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "people.import")).all()
    assert len(events) == 3 and all(event.actor_id is None for event in events)


def test_an_invalid_file_exits_1_and_lists_problems(app: Flask, world: World, db: Session) -> None:
    code, output = _run(app, str(ROSTERS / "bad_rows.csv"))
    assert code == 1
    assert "row 3, column D (organisatiecode): Unknown organisation code NOPE." in output
    assert "row 5, column A (personeelsnummer): Employee number 3001 also appears in row 2." in output
    assert "row 8, column G (startdatum): “31-02-2020” is not an existing date." in output
    assert "invalid file: 10 problem(s); nothing was changed" in output
    assert _roster_people(db) == 0
    code, output = _run(app, str(ROSTERS / "missing_column.csv"), "--dry-run")
    assert code == 1 and "row 1, column email: The required column email is missing" in output


def test_scope_option(app: Flask, world: World, db: Session, tmp_path: Path) -> None:
    code, output = _run(app, str(ROSTERS / "semicolon_bom.csv"), "--scope", "DG-A")
    assert code == 1 and "row 4, column D (Organisatiecode): Unit DG-B lies outside" in output
    code, output = _run(app, str(ROSTERS / "semicolon_bom.csv"), "--scope", "NOPE")
    assert code != 0 and "Unknown organisation code: NOPE" in output
    code, output = _run(app, str(ROSTERS / "semicolon_bom.csv"), "--scope", "DG-A", "--scope", "DG-B")
    assert code == 0 and "scope: DG-A, DG-B" in output and "created 3" in output


def test_a_file_that_is_not_a_roster(app: Flask, world: World, tmp_path: Path) -> None:
    path = tmp_path / "photo.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0" + bytes(200))
    code, output = _run(app, str(path))
    assert code == 1 and "file: This is an old Excel file (.xls)" in output


def test_a_database_error_midway_says_how_to_finish(
    app: Flask, world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*_args: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(roster_apply, "_write", locked)
    code, output = _run(app, str(ROSTERS / "semicolon_bom.csv"))
    assert code == 1
    assert "the import stopped: database is locked. The batches before it were applied" in output
    monkeypatch.undo()
    code, output = _run(app, str(ROSTERS / "semicolon_bom.csv"))
    assert code == 0 and "created 3" in output
