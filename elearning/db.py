"""Engine per app and one session per request: the view commits once, teardown rolls back the rest."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .config import StartupError, safe_url

SQLITE_BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class PoolSettings:
    """The PostgreSQL connection pool of one worker process (ELEARNING_DB_*; docs/operations.md)."""

    size: int = 5
    max_overflow: int = 10
    timeout: float = 10.0
    connect_timeout: int = 5
    recycle: int = 1800
    prepared_statements: bool = True

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PoolSettings:
        return cls(
            size=int(config["DB_POOL_SIZE"]),
            max_overflow=int(config["DB_MAX_OVERFLOW"]),
            timeout=float(config["DB_POOL_TIMEOUT"]),
            connect_timeout=int(config["DB_CONNECT_TIMEOUT"]),
            recycle=int(config["DB_POOL_RECYCLE"]),
            prepared_statements=bool(config["DB_PREPARED_STATEMENTS"]),
        )


def make_engine(url: str, journal_mode: str = "WAL", pool: PoolSettings | None = None) -> Engine:
    """An engine tuned for the database behind `url`.

    On PostgreSQL every connection is tested before use (pool_pre_ping), so that the first request after a database
    restart gets a fresh connection instead of an error; a connection attempt gives up after connect_timeout seconds
    and a request waiting for a free connection after pool.timeout, so that nothing hangs while the database is away.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA journal_mode={journal_mode}")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    pool = pool or PoolSettings()
    connect_args: dict[str, Any] = {"connect_timeout": pool.connect_timeout}
    if not pool.prepared_statements:
        connect_args["prepare_threshold"] = None  # psycopg: never prepare on the server (PgBouncer before 1.21)
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=pool.size,
        max_overflow=pool.max_overflow,
        pool_timeout=pool.timeout,
        pool_recycle=pool.recycle,
        connect_args=connect_args,
    )


def init_app(app: Flask) -> None:
    """Create the engine and session factory, and close each request's session at teardown."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url, app.config["SQLITE_JOURNAL_MODE"], PoolSettings.from_config(app.config))
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    if app.config["CHECK_DATABASE_ON_START"]:
        check_reachable(engine, url)
    app.teardown_appcontext(_close_session)


def check_reachable(engine: Engine, url: str) -> None:
    """Fail start-up with one line naming the database (without its password) when it cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StartupError(f"cannot reach the database at {safe_url(url)}: {reason}") from None


def get_session() -> Session:
    """The session of the current request (or CLI command), created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    session: Session = g.db_session
    return session


def discard_session() -> None:
    """Close the request's session now (after a lost connection), so that nothing later in the request reuses it."""
    with suppress(SQLAlchemyError):  # a rollback on a dead connection fails: the pool has discarded that connection
        _close_session(None)
    g.pop("db_session", None)


def _close_session(_exc: BaseException | None) -> None:
    """Roll back what the view did not commit and give the connection back to the pool.

    The session stays in `g`: a streamed response (`stream_with_context`) reads on with it after the view, which
    takes a connection again, and the teardown that runs when the stream ends closes it once more.
    """
    session: Session | None = g.get("db_session")
    if session is not None:
        session.close()  # rolls back whatever the view did not commit (the pool resets the connection once)
