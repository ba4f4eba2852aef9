"""Every page of the shipped modules passes the same checks as the journeys' pages, so that content cannot break them.

A lesson written with a wide table or a picture without a description fails here. Content changes what is in a
page, not its layout at other sizes, so each page is checked at the phone's size only (with reflow at 320 and 640
CSS px), in both languages. The results are kept apart from the accessibility report (which covers the journeys);
a page checked on one database is not checked again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from elearning import create_app

from ..conftest import World
from .accessibility import PHONE, Audit, AuditLog
from .conftest import empty_database, follow, log_in

CONTENT = Path(__file__).resolve().parents[2] / "content" / "modules"
_checked = AuditLog()  # this test's own log, for the whole run


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app serving the shipped modules (the browser tests' own app serves the journey module)."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(CONTENT),
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "MAIL_BACKEND": "memory",
        }
    )
    yield app
    empty_database(app)


def test_every_shipped_module_page_passes(app: Flask, live_server: str, page: Any, world: World) -> None:
    audit = Audit(_checked, sizes=(PHONE,))
    audit.watch(page)
    log_in(page, live_server, "manager@example.org")  # a manager sees the managers' module too
    catalog = app.extensions["catalog"].get()
    assert len(catalog.modules) == 4
    for language in ("nl", "en"):
        if language == "en":
            follow(page, "header button[value=en]")
        for module in catalog.modules.values():
            page.goto(f"{live_server}/learn/{module.slug}/")
            assert audit.check_here(page) == language
            for lesson in module.lessons:
                page.goto(f"{live_server}/learn/{module.slug}/{lesson.slug}?go=lesson")
                if "/effect/" in page.url:  # the questions before the first lesson: checked, then skipped
                    audit.check_here(page)
                    follow(page, "main button[name=skip]")
                    page.goto(f"{live_server}/learn/{module.slug}/{lesson.slug}?go=lesson")
                assert page.locator("h1").inner_text() == lesson.text(language).title
                audit.check_here(page)
    assert len(_checked.results) >= 2 * 26  # every page (4 modules, 22 lessons) in both languages
    audit.assert_clean()
