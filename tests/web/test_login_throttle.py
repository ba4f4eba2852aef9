"""Login throttling: a temporary, growing lock per account and per IP address, kept in the database, that says the
same for known and unknown addresses, and that expires."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from elearning import create_app
from elearning.models import LoginThrottle, utcnow
from elearning.services import login_throttle
from elearning.services.login_throttle import ThrottlePolicy

from ..conftest import PASSWORD, World

EN = {"Accept-Language": "en"}
WRONG = "certainly not the password"
LOCKED = "Too many failed attempts to log in."
GENERIC = "E-mail address or password is not correct."


def attempt(client: FlaskClient, email: str, password: str, address: str = "192.0.2.10") -> TestResponse:
    environ = {"REMOTE_ADDR": address}
    page = client.get("/auth/login", environ_base=environ)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    assert token
    return client.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        headers=EN,
        environ_base=environ,
    )


def fail(client: FlaskClient, email: str, times: int, address: str = "192.0.2.10") -> None:
    for _ in range(times):
        response = attempt(client, email, WRONG, address)
        assert response.status_code == 401 and GENERIC in response.get_data(as_text=True)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[timedelta]:
    """Moves the login view's clock: append to it to let time pass."""
    offset = [timedelta(0)]
    monkeypatch.setattr("elearning.web.auth.views.utcnow", lambda: utcnow() + sum(offset, timedelta(0)))
    return offset


def test_five_failures_lock_the_account_even_for_the_right_password(client: FlaskClient, world: World) -> None:
    fail(client, "employee@example.org", 5)
    response = attempt(client, "employee@example.org", PASSWORD)
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert LOCKED in body and "Wait 1 minute" in body and "Forgot your password?" in body
    assert client.get("/learn/").status_code == 302  # not logged in


def test_the_lock_says_the_same_for_an_address_without_an_account(app: Flask, world: World) -> None:
    known, unknown = app.test_client(), app.test_client()
    fail(known, "employee@example.org", 5)
    fail(unknown, "nobody-here@example.org", 5)
    answers = [attempt(c, e, WRONG) for c, e in ((known, "employee@example.org"), (unknown, "nobody-here@example.org"))]
    assert [a.status_code for a in answers] == [429, 429]
    bodies = [
        re.sub(r'value="[^"]*"', "", a.get_data(as_text=True)).replace("nobody-here", "employee") for a in answers
    ]
    assert bodies[0] == bodies[1]


def test_the_lock_expires_and_then_grows(client: FlaskClient, world: World, db: Session, clock: list) -> None:
    fail(client, "employee@example.org", 5)
    assert attempt(client, "employee@example.org", PASSWORD).status_code == 429
    clock.append(timedelta(seconds=61))  # the first lock is one minute
    fail(client, "employee@example.org", 1)  # the 6th failure: two minutes
    clock.append(timedelta(seconds=61))
    assert attempt(client, "employee@example.org", PASSWORD).status_code == 429
    (row,) = db.scalars(select(LoginThrottle).where(LoginThrottle.scope == "account"))
    assert row.failures == 6
    assert row.locked_until is not None and row.locked_until - row.last_failure_at == timedelta(minutes=2)
    clock.append(timedelta(seconds=60))
    response = attempt(client, "employee@example.org", PASSWORD)
    assert response.status_code == 302  # the lock has expired: the right password works again
    db.expire_all()
    assert db.scalars(select(LoginThrottle).where(LoginThrottle.scope == "account")).all() == []  # count cleared


def test_a_success_clears_the_accounts_count(app: Flask, world: World) -> None:
    first = app.test_client()
    fail(first, "employee@example.org", 4)
    assert attempt(first, "employee@example.org", PASSWORD).status_code == 302
    second = app.test_client()
    fail(second, "employee@example.org", 4)
    assert attempt(second, "employee@example.org", PASSWORD).status_code == 302


def test_failures_are_forgotten_after_a_quiet_day(client: FlaskClient, world: World, clock: list) -> None:
    fail(client, "employee@example.org", 4)
    clock.append(timedelta(hours=25))
    fail(client, "employee@example.org", 4)
    assert attempt(client, "employee@example.org", PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_locked(app: Flask, world: World) -> None:
    app.config["LOGIN_ADDRESS_FAILURES"] = 6
    client = app.test_client()
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        fail(client, email, 2, address="198.51.100.7")
    response = attempt(client, "employee@example.org", PASSWORD, address="198.51.100.7")
    assert response.status_code == 429  # the right password of a fourth account does not help
    other = app.test_client()
    assert attempt(other, "employee@example.org", PASSWORD, address="203.0.113.9").status_code == 302


def test_the_lock_holds_on_another_app_server(app: Flask, database_url: str, world: World, tmp_path: Path) -> None:
    fail(app.test_client(), "employee@example.org", 5)
    second = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": app.config["SECRET_KEY"],
            "MAIL_BACKEND": "memory",
        }
    )
    try:
        assert attempt(second.test_client(), "employee@example.org", PASSWORD).status_code == 429
    finally:
        second.extensions["db_engine"].dispose()


def test_no_address_is_stored_in_the_clear(client: FlaskClient, world: World, db: Session) -> None:
    fail(client, "employee@example.org", 2, address="192.0.2.44")
    rows = db.scalars(select(LoginThrottle)).all()
    assert {row.scope for row in rows} == {"account", "address"}
    for row in rows:
        assert "employee" not in row.key_hash and "192.0.2.44" not in row.key_hash and len(row.key_hash) == 64


def test_the_lock_lengths_double_up_to_the_longest() -> None:
    policy = ThrottlePolicy()
    locks = [policy.lock_for("account", n) for n in range(1, 13)]
    assert locks[:4] == [None, None, None, None]
    minutes = [int(lock.total_seconds() // 60) for lock in locks[4:] if lock]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60]
    assert policy.lock_for("address", 49) is None and policy.lock_for("address", 50) == timedelta(minutes=1)
    assert policy.lock_for("account", 10_000) == timedelta(hours=1)


def test_purge_keeps_what_still_counts(db: Session) -> None:
    now = utcnow()
    policy = ThrottlePolicy()
    fresh = login_throttle.keys_for("secret", "fresh@example.org", "192.0.2.1")
    old = login_throttle.keys_for("secret", "old@example.org", None)
    login_throttle.record_failure(db, old, now - timedelta(days=2), policy)
    login_throttle.record_failure(db, fresh, now, policy)
    assert login_throttle.purge(db, now, policy) == 1
    left = {(row.scope, row.key_hash) for row in db.scalars(select(LoginThrottle))}
    assert left == set(fresh.pairs())


def test_a_locked_until_in_the_past_no_longer_locks(db: Session) -> None:
    now: datetime = utcnow()
    keys = login_throttle.keys_for("secret", "x@example.org", None)
    for _ in range(5):
        until = login_throttle.record_failure(db, keys, now, ThrottlePolicy())
    assert until == now + timedelta(minutes=1)
    assert login_throttle.locked_until(db, keys, now) == until
    assert login_throttle.locked_until(db, keys, now + timedelta(minutes=1, seconds=1)) is None
