"""`flask xapi send` against a store on loopback: delivery, a 500 then recovery, a store that is down, bad login."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import Person, XapiStatement
from elearning.services import progress
from elearning.services.retention import erase_person
from elearning.services.xapi import delivery
from elearning.services.xapi.record import enable
from elearning.services.xapi.settings import XapiSettings, from_config, retry_delay
from elearning.services.xapi.transport import HttpTransport

from ..conftest import TEST_CONTENT, World
from .conftest import KEY, SECRET, Receiver, closed_port, make_app, xapi_config

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _settings(endpoint: str, **extra: object) -> XapiSettings:
    settings = from_config(xapi_config(endpoint, SECRET_KEY="x" * 40, **extra))
    assert settings is not None
    return settings


def _queue(db: Session, settings: XapiSettings, people: list[Person], at: datetime = T0) -> list[str]:
    """Each person completes `basis` (two statements each: launched is not part of this path, completed is)."""
    catalog = load_catalog(TEST_CONTENT)
    enable(db, settings)
    for person in people:
        for lesson in ("01-welkom", "02-oefenen"):
            progress.mark_lesson_done(db, catalog, person, "basis", lesson, at)
    enable(db, None)
    db.commit()
    return [row.statement_id for row in _rows(db)]


def _rows(db: Session) -> list[XapiStatement]:
    db.expire_all()
    return list(db.scalars(select(XapiStatement).order_by(XapiStatement.id)))


def _send(db: Session, settings: XapiSettings, now: datetime) -> delivery.DeliveryResult:
    return delivery.send_pending(db, HttpTransport(settings), settings, now, commit=db.commit)


def _people(world: World) -> list[Person]:
    return [world.employee, world.manager, world.author, world.hr_a, world.colleague_b]


def test_statements_are_delivered_in_batches_once(db: Session, world: World, receiver: Receiver) -> None:
    settings = _settings(receiver.url)
    ids = _queue(db, settings, _people(world))
    assert len(ids) == 5
    result = _send(db, settings, T0)
    assert (result.sent, result.retried, result.stopped) == (5, 0, None)
    assert [len(r["body"]) for r in receiver.requests] == [3, 2]  # batch size 3
    assert [s["id"] for s in receiver.received] == ids
    headers = receiver.requests[0]["headers"]
    assert headers["X-Experience-Api-Version"] == "1.0.3"
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    assert receiver.requests[0]["path"] == "/xapi/statements"
    assert all(row.sent_at == T0 and row.attempts == 0 for row in _rows(db))
    # A second run has nothing to send.
    assert _send(db, settings, T0 + timedelta(hours=1)).sent == 0
    assert len(receiver.requests) == 2


def test_a_store_failing_with_500_is_retried_with_backoff_and_recovers(
    db: Session, world: World, receiver: Receiver
) -> None:
    settings = _settings(receiver.url)
    ids = _queue(db, settings, _people(world)[:2])
    receiver.script = [500]
    result = _send(db, settings, T0)
    assert (result.sent, result.retried, result.stopped) == (0, 2, delivery.UNAVAILABLE)
    for row in _rows(db):
        assert row.attempts == 1 and row.sent_at is None
        assert row.next_attempt_at == T0 + timedelta(seconds=60)
        assert row.last_error == "HTTP 500 INTERNAL SERVER ERROR"
    # Before the backoff has passed nothing is tried.
    assert _send(db, settings, T0 + timedelta(seconds=59)).sent == 0
    assert len(receiver.requests) == 1
    # After it, the store is back: both delivered, in order, with the ids they were queued with.
    result = _send(db, settings, T0 + timedelta(seconds=61))
    assert (result.sent, result.stopped) == (2, None)
    assert [s["id"] for s in receiver.received] == ids
    assert all(row.sent_at is not None and row.last_error is None for row in _rows(db))


def test_a_lost_answer_resends_the_same_statement(db: Session, world: World, receiver: Receiver) -> None:
    """The store kept the batch but its answer failed: the retry sends identical statements (no-op at the store)."""
    settings = _settings(receiver.url)
    _queue(db, settings, [world.employee])
    first_body = _rows(db)[0].body
    receiver.script = [502]
    _send(db, settings, T0)
    _send(db, settings, T0 + timedelta(minutes=2))
    assert [r["body"] for r in receiver.requests] == [[first_body], [first_body]]


def test_a_store_that_is_down_costs_nothing_but_a_later_attempt(db: Session, world: World) -> None:
    settings = _settings(f"http://127.0.0.1:{closed_port()}/xapi/")
    _queue(db, settings, _people(world))
    result = _send(db, settings, T0)
    # The run stops at the first batch: the other statements are not even tried.
    assert (result.sent, result.retried, result.stopped) == (0, 3, delivery.UNAVAILABLE)
    assert "connection refused" in result.reason
    rows = _rows(db)
    assert [row.attempts for row in rows] == [1, 1, 1, 0, 0]
    assert rows[0].last_error == "unreachable: connection refused"
    # The next run takes the statements not tried yet first; the failed ones wait twice as long the second time.
    _send(db, settings, T0 + timedelta(seconds=10))
    _send(db, settings, T0 + timedelta(seconds=61))
    rows = _rows(db)
    assert [row.attempts for row in rows] == [2, 2, 2, 1, 1]
    assert rows[0].next_attempt_at == T0 + timedelta(seconds=61 + 120)


def test_given_up_after_the_last_attempt_and_queued_again_on_request(db: Session, world: World) -> None:
    settings = _settings(f"http://127.0.0.1:{closed_port()}/xapi/")
    _queue(db, settings, [world.employee])
    now = T0
    for _attempt in range(settings.max_attempts):
        now += timedelta(hours=7)
        _send(db, settings, now)
    row = _rows(db)[0]
    assert row.attempts == settings.max_attempts == 4 and row.given_up_at == now
    assert _send(db, settings, now + timedelta(days=1)).retried == 0  # no longer tried
    assert delivery.retry_given_up(db, now) == 1
    db.commit()
    row = _rows(db)[0]
    assert (row.given_up_at, row.attempts, row.next_attempt_at) == (None, 0, now)


def test_bad_credentials_keep_the_statements_and_say_so_clearly(
    db: Session, world: World, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(receiver.url, XAPI_SECRET="wrong-secret-value")
    _queue(db, settings, _people(world))
    with caplog.at_level(logging.INFO, logger="elearning.xapi"):
        result = _send(db, settings, T0)
    assert (result.sent, result.retried, result.stopped) == (0, 0, delivery.CREDENTIALS)
    assert len(receiver.requests) == 1  # no point in trying the other batches
    rows = _rows(db)
    assert all(row.sent_at is None and row.attempts == 0 and row.given_up_at is None for row in rows)
    assert rows[0].last_error == "HTTP 401 UNAUTHORIZED" and rows[0].next_attempt_at == T0
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        f"xapi: the learning record store at {receiver.url} refused the credentials (HTTP 401 UNAUTHORIZED); "
        "5 statement(s) kept in the queue; check ELEARNING_XAPI_KEY and ELEARNING_XAPI_SECRET"
    ]
    logged = caplog.text
    assert "wrong-secret-value" not in logged and KEY not in logged
    assert not any(person.email in logged for person in _people(world))
    # With the right secret the same statements go.
    assert _send(db, _settings(receiver.url), T0).sent == 5


def test_one_bad_statement_does_not_hold_up_its_batch(db: Session, world: World, receiver: Receiver) -> None:
    settings = _settings(receiver.url)
    ids = _queue(db, settings, _people(world)[:3])
    bad = ids[1]
    receiver.reject = lambda body: any(statement["id"] == bad for statement in body)
    result = _send(db, settings, T0)
    assert (result.sent, result.retried, result.stopped) == (2, 1, None)
    assert [s["id"] for s in receiver.received] == [ids[0], ids[2]]
    row = next(row for row in _rows(db) if row.statement_id == bad)
    assert row.last_error == "HTTP 400 BAD REQUEST" and row.attempts == 1


def test_the_send_command(
    app: Flask, database_url: str, tmp_path: Path, db: Session, world: World, receiver: Receiver
) -> None:
    _queue(db, _settings(receiver.url), [world.employee, world.manager])
    on = make_app(database_url, tmp_path, **xapi_config(receiver.url))
    runner = on.test_cli_runner()
    receiver.script = [503]
    failed = runner.invoke(args=["xapi", "send", "--now", "2026-12-01T09:00:00"])
    assert failed.exit_code == 1, failed.output
    assert "0 statement(s) sent" in failed.output and "retried later" in failed.output
    status = runner.invoke(args=["xapi", "status"])
    assert "2 waiting" in status.output and "HTTP 503 SERVICE UNAVAILABLE" in status.output
    done = runner.invoke(args=["xapi", "send", "--now", "2026-12-01T09:05:00"])
    assert done.exit_code == 0, done.output
    assert "2 statement(s) sent" in done.output and "0 waiting" in done.output
    bad = runner.invoke(args=["xapi", "send", "--now", "yesterday"])
    assert bad.exit_code == 2 and "not a moment" in bad.output
    off = app.test_cli_runner().invoke(args=["xapi", "send"])
    assert off.exit_code == 0 and "xAPI is off" in off.output
    on.extensions["db_engine"].dispose()


def test_the_file_sink_for_a_laptop(app: Flask, database_url: str, tmp_path: Path, db: Session, world: World) -> None:
    folder = tmp_path / "lrs"
    settings = _settings(f"file://{folder}")
    ids = _queue(db, settings, [world.employee])
    on = make_app(database_url, tmp_path, **xapi_config(f"file://{folder}"))
    result = on.test_cli_runner().invoke(args=["xapi", "send"])
    on.extensions["db_engine"].dispose()
    assert result.exit_code == 0, result.output
    import json

    written = [json.loads(path.read_text()) for path in folder.glob("statements-*.json")]
    assert [[s["id"] for s in batch] for batch in written] == [ids]


def test_erasing_a_person_deletes_their_statements(db: Session, world: World, receiver: Receiver) -> None:
    settings = _settings(receiver.url, XAPI_ACTOR="mbox")
    _queue(db, settings, [world.employee, world.manager])
    erase_person(db, world.admin, world.employee.id, T0)
    db.commit()
    assert [row.person_id for row in _rows(db)] == [world.manager.id]


def test_pseudonyms_are_stable_and_depend_on_the_key() -> None:
    one = _settings("https://lrs.example.org/xapi/")
    other = _settings("https://lrs.example.org/xapi/", XAPI_ACTOR_KEY="another-key-of-enough-length-0123456789")
    assert one.pseudonym(7) == one.pseudonym(7) != one.pseudonym(8)
    assert one.pseudonym(7) != other.pseudonym(7)
    assert len(one.pseudonym(7)) == 32
    assert "secret" not in repr(one) and SECRET not in repr(one)


def test_backoff_doubles_up_to_six_hours() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_delay(30) == 6 * 3600


def test_the_endpoint_in_logs_has_no_credentials() -> None:
    assert _settings("https://user:pw@lrs.example.org:8443/xapi/").safe_endpoint == "https://lrs.example.org:8443/xapi/"
