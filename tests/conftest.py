"""Shared fixtures: an app on SQLite and on PostgreSQL (a fresh database per run), clients and people."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from elearning import create_app
from elearning.mail import Mail, MemorySender
from elearning.migrate import upgrade
from elearning.models import Base, OrganisationUnit, Person, Role, RoleGrant
from elearning.services.organisations import create_unit
from elearning.services.passwords import hash_password

FIXTURES = Path(__file__).parent / "fixtures"
TEST_CONTENT = FIXTURES / "modules"
PASSWORD = "correct horse battery staple"
POSTGRES_ADMIN_URL = os.environ.get(
    "ELEARNING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
_postgres_skip_reason: list[str] = []


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_database() -> Iterator[str]:
    """Create a fresh, uniquely named PostgreSQL database and drop it afterwards."""
    name = f"elearning_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        reason = (
            f"PostgreSQL at {make_url(POSTGRES_ADMIN_URL).render_as_string()} is unreachable: "
            + (str(exc).strip().splitlines() or ["no answer"])[0]
        )
        if IN_CI:
            pytest.fail(f"{reason} (CI requires PostgreSQL)", pytrace=False)
        _postgres_skip_reason.append(reason)
        pytest.skip(reason)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of each engine, created once per test run."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        upgrade(url)
        yield url
        return
    for url in postgres_database():
        upgrade(url)
        yield url


def make_test_app(database_url: str, tmp_path: Path, **config: object) -> Iterator[Flask]:
    """The app on `database_url` with the test settings (and `config` over them); emptied and closed afterwards."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(TEST_CONTENT),
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "MAIL_BACKEND": "memory",
            **config,
        }
    )
    yield app
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()
    engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on a clean database, serving the small test modules."""
    yield from make_test_app(database_url, tmp_path)


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session outside any request, for arranging and checking data."""
    with Session(app.extensions["db_engine"], expire_on_commit=False) as session:
        yield session


@pytest.fixture
def outbox(app: Flask) -> list[Mail]:
    """The e-mails the app has sent (the memory sender configured for tests)."""
    sender = app.extensions["mail_sender"]
    assert isinstance(sender, MemorySender)
    return sender.outbox


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class World:
    """A small organisation: MIN → DG-A (team A1), DG-B; people with every role."""

    def __init__(self, db: Session):
        self.db = db
        self.ministry = create_unit(db, "MIN", "Ministerie")
        self.dg_a = create_unit(db, "DG-A", "DG A", self.ministry)
        self.team_a1 = create_unit(db, "DG-A-1", "Team A1", self.dg_a)
        self.dg_b = create_unit(db, "DG-B", "DG B", self.ministry)
        self._hash = hash_password(PASSWORD)
        self.employee = self.person("employee@example.org", self.team_a1)
        self.manager = self.person("manager@example.org", self.team_a1, is_manager=True)
        self.author = self.person("author@example.org", self.dg_a, roles=[(Role.AUTHOR, None)])
        self.hr_a = self.person("hr-a@example.org", self.dg_a, roles=[(Role.HR, self.dg_a)])
        self.hr_b = self.person("hr-b@example.org", self.dg_b, roles=[(Role.HR, self.dg_b)])
        self.admin = self.person("admin@example.org", self.ministry, roles=[(Role.ADMIN, None)])
        self.colleague_b = self.person("colleague-b@example.org", self.dg_b)
        db.commit()

    def person(
        self,
        email: str,
        unit: OrganisationUnit,
        *,
        is_manager: bool = False,
        roles: list[tuple[Role, OrganisationUnit | None]] | None = None,
        active: bool = True,
    ) -> Person:
        person = Person(
            name=email.split("@")[0].replace("-", " ").title(),
            email=email,
            password_hash=self._hash,
            organisation=unit,
            is_manager=is_manager,
            active=active,
        )
        for role, scope in roles or []:
            person.roles.append(RoleGrant(role=role.value, organisation=scope))
        self.db.add(person)
        self.db.flush()
        return person


@pytest.fixture
def world(db: Session) -> World:
    return World(db)


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/auth/login") -> str:
    """The CSRF token of the form on `path`, as a browser would send it."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _postgres_skip_reason:
        terminalreporter.write_line(
            f"NOTE: the PostgreSQL half of the suite was SKIPPED: {_postgres_skip_reason[0]}. "
            "Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
            yellow=True,
            bold=True,
        )
