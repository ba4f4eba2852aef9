"""Server-side sessions: logout ends them for every copy of the cookie, password and role changes end the others,
idle and absolute timeouts, a new session at login, cookie flags, and no extra query per request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from elearning import create_app
from elearning.models import LoginSession, utcnow
from elearning.services import login_sessions, roles
from elearning.services.login_sessions import SessionPolicy, SessionState
from elearning.web.sessions import TOKEN_KEY

from ..conftest import PASSWORD, World, csrf_token, login

EN = {"Accept-Language": "en"}
LESSON = "/learn/basis/01-welkom"


def copy_cookie(app: Flask, source: FlaskClient) -> FlaskClient:
    """A second browser holding a copy of `source`'s session cookie."""
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = source.get_cookie(name)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(name, cookie.value)
    return thief


def logged_in(client: FlaskClient) -> bool:
    response = client.get("/learn/")
    return response.status_code == 200


def sessions_of(db: Session, person_id: int) -> list[LoginSession]:
    db.expire_all()
    return list(db.scalars(select(LoginSession).where(LoginSession.person_id == person_id)))


def test_login_creates_a_server_side_session_storing_only_a_hash(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    rows = sessions_of(world.db, world.employee.id)
    assert len(rows) == 1
    with client.session_transaction() as cookie_session:
        token = cookie_session[TOKEN_KEY]
    assert rows[0].token_hash == login_sessions.token_hash(token) != token
    assert len(token) >= 40


def test_logout_ends_the_session_for_a_copied_cookie_too(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    thief = copy_cookie(app, client)
    assert logged_in(thief)  # the copy works while the session lives
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/learn/")})
    assert not logged_in(client)
    response = thief.get("/learn/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert sessions_of(world.db, world.employee.id) == []


def test_each_login_gets_a_new_session_and_drops_what_was_in_the_cookie(client: FlaskClient, world: World) -> None:
    with client.session_transaction() as planted:
        planted["_user_id"] = str(world.admin.id)  # a fixation attempt: someone else's id, no valid token
        planted[TOKEN_KEY] = "chosen-by-the-attacker"
        planted["other"] = "left over"
    assert not logged_in(client)
    login(client, "employee@example.org")
    with client.session_transaction() as first:
        first_token = first[TOKEN_KEY]
        assert first["_user_id"] == str(world.employee.id) and "other" not in first
    assert first_token != "chosen-by-the-attacker"
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/learn/")})
    login(client, "employee@example.org")
    with client.session_transaction() as second:
        assert second[TOKEN_KEY] != first_token


def test_a_changed_password_ends_the_other_sessions_only(app: Flask, world: World) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "employee@example.org")
    login(elsewhere, "employee@example.org")
    assert len(sessions_of(world.db, world.employee.id)) == 2
    response = here.post(
        "/auth/password",
        data={
            "current": PASSWORD,
            "password": "een nieuw en lang wachtwoord",
            "confirm": "een nieuw en lang wachtwoord",
            "csrf_token": csrf_token(here, "/auth/password"),
        },
        headers=EN,
    )
    assert response.status_code == 302 and response.headers["Location"] == "/me/"
    assert logged_in(here)
    assert not logged_in(elsewhere)
    assert len(sessions_of(world.db, world.employee.id)) == 1


def test_a_password_set_through_a_reset_link_ends_every_session(app: Flask, world: World, outbox: list[Any]) -> None:
    elsewhere = app.test_client()
    login(elsewhere, "employee@example.org")
    browser = app.test_client()
    browser.post(
        "/auth/reset",
        data={"email": "employee@example.org", "csrf_token": csrf_token(browser, "/auth/reset")},
    )
    path = re.search(r"(/auth/reset/[A-Za-z0-9_-]+)", outbox[-1].body).group(1)  # type: ignore[union-attr]
    password = "een nieuw en lang wachtwoord"
    response = browser.post(
        path, data={"password": password, "confirm": password, "csrf_token": csrf_token(browser, path)}
    )
    assert response.status_code == 302
    assert logged_in(browser)
    assert not logged_in(elsewhere)
    assert len(sessions_of(world.db, world.employee.id)) == 1


def test_a_role_change_ends_that_persons_sessions(app: Flask, world: World) -> None:
    employee, admin = app.test_client(), app.test_client()
    login(employee, "employee@example.org")
    login(admin, "admin@example.org")
    token = csrf_token(admin, "/admin/")
    response = admin.post(
        f"/admin/people/{world.employee.id}/roles", data={"role": "author", "organisation": "", "csrf_token": token}
    )
    assert response.status_code == 302
    assert not logged_in(employee)
    login(employee, "employee@example.org")
    grant = next(g for g in grants_of(world) if g.role == "author")
    response = admin.post(f"/admin/people/{world.employee.id}/roles/{grant.id}/revoke", data={"csrf_token": token})
    assert response.status_code == 302
    assert not logged_in(employee)
    assert logged_in(admin)


def grants_of(world: World) -> list[Any]:
    world.db.expire_all()
    return list(world.db.get(type(world.employee), world.employee.id).roles)  # type: ignore[union-attr]


def test_changing_ones_own_roles_keeps_the_session_making_the_change(app: Flask, world: World, db: Session) -> None:
    admin, other_device = app.test_client(), app.test_client()
    login(admin, "admin@example.org")
    login(other_device, "admin@example.org")
    token = csrf_token(admin, "/admin/")
    admin.post(
        f"/admin/people/{world.admin.id}/roles", data={"role": "author", "organisation": "", "csrf_token": token}
    )
    assert logged_in(admin)
    assert not logged_in(other_device)


def test_role_services_end_sessions_except_the_one_kept(db: Session, world: World) -> None:
    now = utcnow()
    policy = SessionPolicy.from_config(30, 12)
    kept, _ = login_sessions.start(db, world.hr_a.id, now, policy)
    login_sessions.start(db, world.hr_a.id, now, policy)
    roles.grant_role(db, world.admin, world.hr_a.id, "author", None, keep_session=kept.id)
    assert [row.id for row in sessions_of(db, world.hr_a.id)] == [kept.id]
    roles.revoke_role(db, world.admin, world.hr_a.id, world.hr_a.roles[0].id)
    assert sessions_of(db, world.hr_a.id) == []


def _age(db: Session, person_id: int, *, created: timedelta = timedelta(0), seen: timedelta = timedelta(0)) -> None:
    now = utcnow()
    db.execute(
        update(LoginSession)
        .where(LoginSession.person_id == person_id)
        .values(created_at=now - created, last_seen_at=now - seen)
    )
    db.commit()


def test_idle_timeout_ends_the_session(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "employee@example.org")
    _age(db, world.employee.id, created=timedelta(minutes=40), seen=timedelta(minutes=29))
    assert logged_in(client)  # 29 of 30 idle minutes: still there, and seen again now
    _age(db, world.employee.id, created=timedelta(minutes=70), seen=timedelta(minutes=31))
    response = client.get("/learn/", headers=EN)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "You were logged out because your session ended" in page
    assert sessions_of(db, world.employee.id) == []  # the expired row is gone


def test_absolute_timeout_ends_even_an_active_session(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "employee@example.org")
    _age(db, world.employee.id, created=timedelta(hours=11, minutes=59))
    assert logged_in(client)
    _age(db, world.employee.id, created=timedelta(hours=12, minutes=1))
    assert not logged_in(client)


def test_timeouts_come_from_the_configuration(database_url: str, tmp_path: Any) -> None:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "MAIL_BACKEND": "memory",
            "SESSION_IDLE_MINUTES": 7,
            "SESSION_MAX_HOURS": 2,
        }
    )
    policy = app.extensions["session_policy"]
    assert policy == SessionPolicy(idle=timedelta(minutes=7), absolute=timedelta(hours=2))
    app.extensions["db_engine"].dispose()


def test_the_defaults_are_thirty_minutes_and_twelve_hours() -> None:
    from elearning.config import from_env

    config = from_env({})
    assert (config["SESSION_IDLE_MINUTES"], config["SESSION_MAX_HOURS"]) == (30, 12)
    config = from_env({"ELEARNING_SESSION_IDLE_MINUTES": "15", "ELEARNING_SESSION_MAX_HOURS": "8"})
    assert (config["SESSION_IDLE_MINUTES"], config["SESSION_MAX_HOURS"]) == (15, 8)


def test_session_state_rules() -> None:
    policy = SessionPolicy.from_config(30, 12)
    now = utcnow()
    assert policy.touch_interval == timedelta(minutes=5)
    assert SessionPolicy.from_config(12, 1).touch_interval == timedelta(minutes=2)
    assert login_sessions.state(now, now, now, policy) is SessionState.CURRENT
    assert login_sessions.state(now, now - timedelta(minutes=4), now, policy) is SessionState.CURRENT
    assert login_sessions.state(now, now - timedelta(minutes=5), now, policy) is SessionState.TOUCH
    assert login_sessions.state(now, now - timedelta(minutes=30), now, policy) is SessionState.EXPIRED
    assert login_sessions.state(now - timedelta(hours=12), now, now, policy) is SessionState.EXPIRED


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_session_check_is_part_of_the_one_query_that_loads_the_person(
    app: Flask, client: FlaskClient, world: World
) -> None:
    login(client, "employee@example.org")
    client.get(LESSON)  # the position is stored once; afterwards the lesson page writes nothing
    with statements(app) as seen:
        assert client.get(LESSON).status_code == 200
    loading = [s for s in seen if "login_session" in s]
    assert len(loading) == 1, seen
    assert "FROM person JOIN login_session" in loading[0] and "role_grant" in loading[0]
    assert not [s for s in seen if s.startswith(("UPDATE", "INSERT", "DELETE"))], seen


def test_last_seen_is_written_at_most_once_per_touch_interval(
    app: Flask, client: FlaskClient, world: World, db: Session
) -> None:
    login(client, "employee@example.org")
    _age(db, world.employee.id, seen=timedelta(minutes=6))
    with statements(app) as seen:
        assert logged_in(client)
        assert logged_in(client)
    assert len([s for s in seen if s.startswith("UPDATE login_session")]) == 1
    (row,) = sessions_of(db, world.employee.id)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)
    _age(db, world.employee.id, seen=timedelta(minutes=4))
    with statements(app) as seen:
        assert logged_in(client)
    assert not [s for s in seen if s.startswith("UPDATE login_session")]


def test_a_write_in_the_same_request_as_the_touch_works(
    app: Flask, client: FlaskClient, world: World, db: Session
) -> None:
    """The last-seen write runs apart, before the view: SQLite must not see it as a competing writer."""
    login(client, "employee@example.org")
    _age(db, world.employee.id, seen=timedelta(minutes=6))
    token = csrf_token(client, "/learn/")
    _age(db, world.employee.id, seen=timedelta(minutes=6))
    response = client.post(f"{LESSON}/done", data={"csrf_token": token})
    assert response.status_code == 302 and "/auth/login" not in response.headers["Location"]
    assert db.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_an_inactive_person_is_logged_out(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "employee@example.org")
    world.employee.active = False
    db.commit()
    assert not logged_in(client)


def test_session_cookie_flags_in_development(client: FlaskClient, world: World) -> None:
    response = client.post(
        "/auth/login",
        data={"email": "employee@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # a laptop serves plain http


@pytest.mark.parametrize("environment", ["production", "staging", "test"])
def test_cookies_are_secure_outside_local_development(environment: str) -> None:
    from elearning.config import from_env

    config = from_env({"ELEARNING_ENV": environment})
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_secure_cookie_is_sent_with_the_host_prefix(app: Flask, world: World) -> None:
    app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/auth/login",
        data={"email": "employee@example.org", "password": PASSWORD, "csrf_token": token},
        base_url="https://localhost",
    )
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-session=")]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
