"""A database that is away (restarting, unreachable, every connection busy) gives a clear 503, never a hang or a 500."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from elearning import create_app
from elearning.config import StartupError, from_env

from ..conftest import TEST_CONTENT, World, _libpq, login

SECRET = "test-secret-key-that-is-long-enough-123"


def unreachable_url(database_url: str, tmp_path: Path) -> str:
    """A database of the same engine that cannot be opened: a folder as SQLite file, a port nobody listens on."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path}"  # a directory: "unable to open database file"
    return make_url(database_url).set(host="127.0.0.1", port=1).render_as_string(hide_password=False)


@pytest.fixture
def broken_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """A second app server with the same secret key whose database cannot be reached."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": unreachable_url(database_url, tmp_path),
            "CHECK_DATABASE_ON_START": False,
            "DB_CONNECT_TIMEOUT": 2,
            "CONTENT_DIR": str(TEST_CONTENT),
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": SECRET,
            "MAIL_BACKEND": "memory",
        }
    )
    yield app
    app.extensions["db_engine"].dispose()


def _cookie_of(client: FlaskClient, app: Flask) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


@pytest.mark.parametrize(
    ("language", "title", "advice"),
    [
        ("en", "Temporarily unavailable", "doing it again is safe"),
        ("nl", "Tijdelijk niet beschikbaar", "het nog eens doen kan geen kwaad"),
    ],
)
def test_an_unreachable_database_gives_a_translated_503_with_retry_after(
    app: Flask,
    client: FlaskClient,
    world: World,
    broken_app: Flask,
    caplog: pytest.LogCaptureFixture,
    language: str,
    title: str,
    advice: str,
) -> None:
    login(client, "employee@example.org")
    other = broken_app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], _cookie_of(client, app))
    with caplog.at_level(logging.INFO):
        response = other.get("/learn/", headers={"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 503, page
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"
    assert title in page and advice in page
    assert "Traceback" not in page and "psycopg" not in page and "sqlite" not in page.lower()
    lines = [r.getMessage() for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("database unavailable (OperationalError): GET learn.dashboard by ")
    assert "employee@example.org" not in caplog.text and "SELECT" not in lines[0]


def test_a_form_post_while_the_database_is_away_gets_503(
    app: Flask, client: FlaskClient, world: World, broken_app: Flask
) -> None:
    login(client, "employee@example.org")
    token_page = client.get("/learn/basis/01-welkom").get_data(as_text=True)
    other = broken_app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], _cookie_of(client, app))
    token = token_page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = other.post("/learn/basis/01-welkom/done", data={"csrf_token": token})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


# PostgreSQL only, and not skipped on SQLite: the session's database fixture is asked for its PostgreSQL side alone.
postgres_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def _terminate_connections(database_url: str) -> int:
    """What a PostgreSQL restart does to the app's pooled connections: the server closes them."""
    name = make_url(database_url).database
    with psycopg.connect(_libpq(database_url), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


@postgres_only
def test_the_first_request_after_the_database_dropped_its_connections_works(
    client: FlaskClient, world: World, database_url: str
) -> None:
    """SQLite has no server connections to lose; PostgreSQL closes them all when it restarts."""
    login(client, "employee@example.org")
    assert client.get("/learn/").status_code == 200  # a pooled connection now exists
    assert _terminate_connections(database_url) >= 1
    response = client.get("/learn/")  # pool_pre_ping finds the dead connection and opens a new one
    assert response.status_code == 200
    done = client.get("/learn/basis/01-welkom")
    assert done.status_code == 200


@postgres_only
def test_every_connection_busy_gives_503_after_the_pool_timeout(
    database_url: str, tmp_path: Path, db: object, world: World
) -> None:
    """The SQLite engine has no pool limit; PostgreSQL's pool has one per worker."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(TEST_CONTENT),
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": SECRET,
            "MAIL_BACKEND": "memory",
            "DB_POOL_SIZE": 1,
            "DB_MAX_OVERFLOW": 0,
            "DB_POOL_TIMEOUT": 0.2,
        }
    )
    engine = app.extensions["db_engine"]
    try:
        client = app.test_client()
        login(client, "employee@example.org")
        with engine.connect():  # the only connection is in use by someone else
            response = client.get("/learn/", headers={"Accept-Language": "en"})
        assert response.status_code == 503
        assert "Temporarily unavailable" in response.get_data(as_text=True)
        assert client.get("/learn/").status_code == 200  # free again: served as usual
    finally:
        engine.dispose()


def test_pool_settings_come_from_the_environment() -> None:
    config = from_env(
        {
            "ELEARNING_DB_POOL_SIZE": "20",
            "ELEARNING_DB_MAX_OVERFLOW": "0",
            "ELEARNING_DB_POOL_TIMEOUT": "2.5",
            "ELEARNING_DB_CONNECT_TIMEOUT": "3",
            "ELEARNING_DB_POOL_RECYCLE": "600",
            "ELEARNING_DB_PREPARED_STATEMENTS": "false",
        }
    )
    app = create_app(
        {
            **{k: v for k, v in config.items() if k.startswith("DB_")},
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "CHECK_DATABASE_ON_START": False,
            "CONTENT_DIR": str(TEST_CONTENT),
            "MAIL_BACKEND": "memory",
        }
    )
    pool = app.extensions["db_engine"].pool
    assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (20, 0, 2.5, 600)
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize(
    ("name", "value"),
    [("ELEARNING_DB_POOL_SIZE", "0"), ("ELEARNING_DB_MAX_OVERFLOW", "-1"), ("ELEARNING_DB_POOL_TIMEOUT", "0")],
)
def test_a_pool_setting_out_of_range_stops_the_start(name: str, value: str) -> None:
    from elearning.config import check_production

    with pytest.raises(StartupError, match=name):
        check_production(from_env({name: value}))
