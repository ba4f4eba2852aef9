"""My learning with assignments: assigned modules by due date with status, completed ones, then the others."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import Assignment
from elearning.services.enrolments import sync

from ..conftest import TEST_CONTENT, World, csrf_token, login

EN = {"Accept-Language": "en"}


def _assign(db: Session, world: World, module: str, due: date, **values: Any) -> None:
    db.add(Assignment(module_slug=module, organisation_id=world.ministry.id, due_on=due, **values))
    db.commit()
    sync(db, load_catalog(TEST_CONTENT), date.today(), now=datetime.now(UTC))
    db.commit()


def _sections(page: str) -> dict[str, str]:
    """The text of each dashboard section, by its heading id."""
    found = {}
    for name in ("to-do", "done", "other"):
        start = page.find(f'id="{name}-heading"')
        found[name] = page[start : page.find("</section>", start)] if start >= 0 else ""
    return found


def _done(client: FlaskClient, lesson: str) -> None:
    client.post(f"/learn/basis/{lesson}/done", data={"csrf_token": csrf_token(client, f"/learn/basis/{lesson}")})


def test_assigned_modules_come_first_overdue_first(client: FlaskClient, world: World, db: Session) -> None:
    today = date.today()
    _assign(db, world, "toets", today + timedelta(days=30))
    _assign(db, world, "basis", today - timedelta(days=2))
    login(client, "employee@example.org")
    sections = _sections(client.get("/learn/", headers=EN).get_data(as_text=True))
    to_do = sections["to-do"]
    assert to_do.index("Basics") < to_do.index(">Test<")
    assert "Overdue" in to_do and "Not started" in to_do
    assert "about 5 minutes" in to_do and "about 3 minutes" in to_do
    assert "Due on" in to_do and "Start" in to_do
    assert sections["done"] == "" and sections["other"] == ""


def test_other_modules_below(client: FlaskClient, world: World, db: Session) -> None:
    _assign(db, world, "basis", date.today() + timedelta(days=5))
    login(client, "employee@example.org")
    sections = _sections(client.get("/learn/", headers=EN).get_data(as_text=True))
    assert "Basics" in sections["to-do"] and "due soon" in sections["to-do"]
    assert "Other modules" in sections["other"] and ">Test<" in sections["other"]
    assert "Basics" not in sections["other"] and "Leadership" not in sections["other"]


def test_continue_and_complete(client: FlaskClient, world: World, db: Session) -> None:
    _assign(db, world, "basis", date.today() + timedelta(days=30))
    login(client, "employee@example.org")
    _done(client, "01-welkom")
    client.get("/learn/basis/02-oefenen")  # where the learner left off
    to_do = _sections(client.get("/learn/", headers=EN).get_data(as_text=True))["to-do"]
    assert "In progress" in to_do and "Continue where you left off" in to_do
    assert 'href="/learn/basis/02-oefenen"' in to_do
    _done(client, "02-oefenen")
    sections = _sections(client.get("/learn/", headers=EN).get_data(as_text=True))
    assert sections["to-do"] == ""
    done = sections["done"]
    assert "Basics" in done and "Completed on" in done
    assert load_catalog(TEST_CONTENT).modules["basis"].version in done  # the content version it was done on


def test_a_recurring_module_shows_when_to_repeat(client: FlaskClient, world: World, db: Session) -> None:
    _assign(db, world, "basis", date.today() + timedelta(days=30), recurrence_months=12)
    login(client, "employee@example.org")
    _done(client, "01-welkom")
    _done(client, "02-oefenen")
    done = _sections(client.get("/learn/", headers=EN).get_data(as_text=True))["done"]
    assert "Repeat by" in done and "Completed on" in done


def test_a_withdrawn_module_returns_to_the_others(client: FlaskClient, world: World, db: Session) -> None:
    _assign(db, world, "basis", date.today() + timedelta(days=30), managers_only=True)
    login(client, "manager@example.org")
    assert "Basics" in _sections(client.get("/learn/", headers=EN).get_data(as_text=True))["to-do"]
    world.manager.is_manager = False
    db.commit()
    sync(db, load_catalog(TEST_CONTENT), date.today(), now=datetime.now(UTC))
    db.commit()
    sections = _sections(client.get("/learn/", headers=EN).get_data(as_text=True))
    assert sections["to-do"] == "" and "Basics" in sections["other"]


@contextmanager
def _counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_queries_do_not_grow_with_the_modules(app: Flask, client: FlaskClient, world: World, db: Session) -> None:
    login(client, "manager@example.org")
    client.get("/learn/")
    _assign(db, world, "basis", date.today() + timedelta(days=3))
    with _counting(app) as one:
        assert client.get("/learn/").status_code == 200
    _assign(db, world, "toets", date.today() - timedelta(days=3))
    _assign(db, world, "leiding", date.today() + timedelta(days=30), recurrence_months=6)
    _done(client, "01-welkom")
    with _counting(app) as three:
        assert client.get("/learn/").status_code == 200
    assert len(three) == len(one) <= 8
