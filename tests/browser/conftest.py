"""A real browser (Debian's Chromium through Playwright) against the app served on a free loopback port.

One Chromium for the whole run; a fresh browser context (cookies, downloads) per test. The app serves a copy of
the journey content (tests/fixtures/journey), reloading on change so that the author's journey can edit it.
Set ELEARNING_ACCESSIBILITY_REPORT=path to write the accessibility audit of every page checked (see
`make accessibility-report`).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from elearning import create_app
from elearning.models import Base

from ..conftest import FIXTURES, IN_CI, PASSWORD
from .accessibility import DESKTOP, Audit, AuditLog

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
JOURNEY_CONTENT = FIXTURES / "journey"
REPORT_ENV = "ELEARNING_ACCESSIBILITY_REPORT"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on a clean database, serving a copy of the journey modules that it reloads when a file changes."""
    content = tmp_path / "modules"
    shutil.copytree(JOURNEY_CONTENT, content)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(content),
            "CONTENT_RELOAD": True,
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "MAIL_BACKEND": "memory",
            "REPORT_MIN_GROUP": 5,
        }
    )
    yield app
    empty_database(app)


def empty_database(app: Flask) -> None:
    """Delete every row the test made (the database itself is the run's) and close the connections."""
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()
    engine.dispose()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app on 127.0.0.1 and a free port, for as long as the test runs."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request in a failure's report
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run (Debian's; Playwright cannot download its own here)."""
    if not shutil.which("chromium"):
        message = "Chromium is not installed (make test installs it with apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def audit_log(browser: Any) -> Iterator[AuditLog]:
    """Every page checked in this run; written as the accessibility audit when ELEARNING_ACCESSIBILITY_REPORT is set."""
    log = AuditLog(chromium_version=browser.version)
    yield log
    target = os.environ.get(REPORT_ENV)
    if target and log.results:
        log.write(Path(target), date.today())


@pytest.fixture
def audit(audit_log: AuditLog) -> Audit:
    return Audit(audit_log)


@pytest.fixture
def page(browser: Any, audit: Audit) -> Iterator[Any]:
    """A page in a fresh context: Dutch browser, 1280x800, downloads accepted; watched by the audit."""
    context = browser.new_context(
        viewport={"width": DESKTOP[0], "height": DESKTOP[1]}, locale="nl-NL", accept_downloads=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    audit.watch(page)
    yield page
    context.close()


def follow(page: Any, selector: str) -> None:
    """Click a link or a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def log_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the form with the mouse."""
    page.goto(f"{base}/auth/login")
    page.fill("#email", email)
    page.fill("#password", password)
    follow(page, "main form [type=submit]")
    assert "/auth/login" not in page.url
