"""The statement export for a date range: the admin page's JSON download and `flask xapi export`, both audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import AuditEvent, XapiStatement
from elearning.services.xapi import statements
from elearning.services.xapi.settings import from_config

from ..conftest import World, login
from .conftest import xapi_config

DAYS = [datetime(2026, 3, 1, 23, 30, tzinfo=UTC), datetime(2026, 3, 2, 8, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC)]


@pytest.fixture
def stored(db: Session, world: World) -> list[str]:
    """Three statements on 1, 2 and 5 March (one of them sent already)."""
    settings = from_config(xapi_config("https://lrs.example.org/xapi/", SECRET_KEY="k" * 40))
    assert settings is not None
    ids = []
    for number, at in enumerate(DAYS):
        body = statements.launched(settings, statements.actor(settings, world.employee.id, ""), _module(), at)
        db.add(
            XapiStatement(
                statement_id=body["id"],
                person_id=world.employee.id,
                verb="launched",
                timestamp=at,
                body=body,
                next_attempt_at=at,
                sent_at=at if number == 0 else None,
            )
        )
        ids.append(body["id"])
    db.commit()
    return ids


def _module():  # type: ignore[no-untyped-def]
    from elearning.content import load_catalog

    from ..conftest import TEST_CONTENT

    return load_catalog(TEST_CONTENT).modules["basis"]


def test_admin_downloads_a_range_as_json(app: Flask, db: Session, world: World, stored: list[str]) -> None:
    client = app.test_client()
    login(client, world.admin.email)
    page = client.get("/admin/xapi", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "xAPI is off" in text and "statements.json" in text
    response = client.get("/admin/xapi/statements.json?from=2026-03-01&to=2026-03-02")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="xapi-statements-2026-03-01-2026-03-02.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    exported = json.loads(response.get_data(as_text=True))
    assert [s["id"] for s in exported] == stored[:2]  # sent or not; 5 March is outside
    assert exported[0]["verb"]["id"].endswith("/launched")
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "xapi.export")).one()
    assert event.actor_id == world.admin.id and event.details == {"first": "2026-03-01", "last": "2026-03-02"}
    empty = client.get("/admin/xapi/statements.json?from=2025-01-01&to=2025-01-31")
    assert json.loads(empty.get_data(as_text=True)) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-03-05&to=2026-03-01", "is after"),
        ("from=1-3-2026&to=2026-03-01", "is not a date"),
        ("from=2010-01-01&to=2026-03-01", "at most five years"),
    ],
)
def test_a_bad_range_is_named(app: Flask, world: World, stored: list[str], query: str, message: str) -> None:
    client = app.test_client()
    login(client, world.admin.email)
    response = client.get(f"/admin/xapi/statements.json?{query}", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_only_admins_export(app: Flask, world: World, stored: list[str]) -> None:
    for email in (world.hr_a.email, world.employee.email):
        client = app.test_client()
        login(client, email)
        assert client.get("/admin/xapi/statements.json?from=2026-03-01&to=2026-03-31").status_code == 403
        assert client.get("/admin/xapi").status_code == 403


def test_the_export_command(app: Flask, db: Session, stored: list[str], tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["xapi", "export", "--from", "2026-03-02", "--to", "2026-03-31"])
    assert result.exit_code == 0, result.output
    assert [s["id"] for s in json.loads(result.stdout)] == stored[1:]
    target = tmp_path / "out.json"
    result = runner.invoke(
        args=["xapi", "export", "--from", "2026-03-01", "--to", "2026-03-01", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert [s["id"] for s in json.loads(target.read_text())] == stored[:1]
    bad = runner.invoke(args=["xapi", "export", "--from", "2026-03-31", "--to", "2026-03-01"])
    assert bad.exit_code == 1 and "is after" in bad.output
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "xapi.export")).all()
    assert [(e.actor_id, e.details["first"]) for e in events] == [(None, "2026-03-02"), (None, "2026-03-01")]


def test_the_admin_page_shows_the_queue(app: Flask, db: Session, world: World, stored: list[str]) -> None:
    row = db.scalars(select(XapiStatement).where(XapiStatement.statement_id == stored[2])).one()
    row.last_error, row.attempts = "unreachable: connection refused", 2
    db.commit()
    client = app.test_client()
    login(client, world.admin.email)
    text = client.get("/admin/xapi", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "unreachable: connection refused" in text
    assert world.employee.email not in text
