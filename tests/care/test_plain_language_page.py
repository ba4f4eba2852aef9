"""Authors see the plain-language warnings of a module apart from its other problems."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from elearning import create_app
from elearning.models import Base

from ..conftest import World, login

BROKEN = Path(__file__).resolve().parents[1] / "content" / "fixtures" / "broken"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(BROKEN),
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "MAIL_BACKEND": "memory",
        }
    )
    yield app
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
        session.commit()
    engine.dispose()


def test_the_author_page_lists_plain_language_warnings_apart(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, "author@example.org")
    page = client.get("/author/plain-language/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    plain = page.index("<h2>Plain language</h2>")
    assert "sentence of 30 words" in page[plain:] and "long word &#39;arbeidsomstandighedenwet&#39;" in page[plain:]
    assert "<h2>Warnings</h2>" not in page  # nothing else is wrong with this module
    index = client.get("/author/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "plain-language/01-les.nl.md:3: warning: plain language: sentence of 30 words" in index
