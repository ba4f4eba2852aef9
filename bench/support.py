"""What the benchmarks share: fresh databases, measured child processes, and sessions minted without a password check.

Each measured step runs in a child process (the benchmark script itself with --child), so that its peak RSS
(resource.getrusage, ru_maxrss) is the step's own; the parent orchestrates with the standard library only.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = os.environ.get(
    "ELEARNING_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def libpq(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as psycopg takes it."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(kind: str, folder: Path, postgres_url: str, prefix: str) -> dict[str, Any]:
    """A fresh, migrated database: {"url": ...}, or {"unreachable": why} for a PostgreSQL that does not answer."""
    from elearning.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{folder / f'{prefix}-{secrets.token_hex(4)}.db'}"
    else:
        import psycopg
        from sqlalchemy.engine import make_url

        try:
            admin = psycopg.connect(libpq(postgres_url), autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            return {"unreachable": (str(exc).strip().splitlines() or ["no answer"])[0]}
        name = f"elearning_bench_{prefix}_{secrets.token_hex(6)}"
        with admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    return {"url": url}


def drop_database(url: str, postgres_url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with psycopg.connect(libpq(postgres_url), autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def unreachable(created: dict[str, Any], postgres_url: str) -> bool:
    """True (after saying so) when PostgreSQL could not be used; outside CI that skips it, in CI it is fatal."""
    if "unreachable" not in created:
        return False
    if IN_CI:
        raise SystemExit(f"PostgreSQL is unreachable: {created['unreachable']} (CI requires it)")
    print(f"PostgreSQL skipped: unreachable at {postgres_url.split('@')[-1]}: {created['unreachable']}")
    return True


def child_main(children: dict[str, Callable[[list[str]], dict[str, Any]]], args: list[str]) -> None:
    """Run one child step and print its result with the process's CPU seconds and peak RSS as JSON."""
    import logging

    logging.disable(logging.INFO)  # no migration chatter in a measured step
    result = children[args[0]](args[1:])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # ru_maxrss is in kilobytes on Linux; the parent runs the standard library only, so a child inherits little.
    print(json.dumps({"result": result, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}))


def run_child(script: str, *args: str) -> tuple[dict[str, Any], float, float]:
    """Run `script --child args...`: its result, its CPU seconds and its peak RSS (MB)."""
    completed = subprocess.run([sys.executable, script, "--child", *args], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"step {args[0]} failed:\n{completed.stderr[-3000:]}")
    payload = json.loads(completed.stdout.strip().splitlines()[-1])
    return payload["result"], payload["cpu"], payload["rss_mb"]


def mint_sessions(app: Any, person_ids: list[int], host: str, user_agent: str) -> dict[int, tuple[str, str]]:
    """Session cookie and CSRF token per person, made by the app's own login (elearning.web.sessions.begin).

    The same cookie a login over HTTP ends with (user id, login-session token, freshness, flask-login's identifier
    for this address and User-Agent, the CSRF secret), signed with the app's secret key, and the same
    `login_session` row; only the password check is skipped, which would cost an argon2 verification (and its
    memory) per person.
    """
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from elearning.db import get_session
    from elearning.models import Person
    from elearning.web import sessions

    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]
    minted: dict[int, tuple[str, str]] = {}
    for person_id in person_ids:
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": host}, headers={"User-Agent": user_agent}):
            db = get_session()
            person = db.get(Person, person_id)
            if person is None:
                continue
            sessions.begin(person)
            db.commit()
            token = generate_csrf()
            minted[person.id] = (f"{name}={serializer.dumps(dict(session))}", token)
    return minted
