"""The app serving a copy of the test modules in which the first lesson and the scenario carry a content warning."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from elearning import create_app
from elearning.models import Base

from ..conftest import TEST_CONTENT

WARNINGS = {
    "nl": (
        "---\nwarning: In deze les lees je over racisme op het werk.\n"
        "summary: |\n  Het **effect** op de ander telt, niet de bedoeling.\n---\n"
    ),
    "en": (
        "---\nwarning: This lesson is about racism at work.\n"
        "summary: |\n  The **effect** on the other person counts, not the intention.\n---\n"
    ),
}


SCENARIO = {
    "nl": "    warning: In dit scenario wordt een collega uitgelachen.\n    summary: Een grap kan een collega raken.\n",
    "en": "    warning: In this scenario a colleague is laughed at.\n    summary: A joke can hurt a colleague.\n",
}


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    content = tmp_path / "modules"
    shutil.copytree(TEST_CONTENT, content)
    for lang, front in WARNINGS.items():
        lesson = content / "basis" / f"01-welkom.{lang}.md"
        lesson.write_text(front + lesson.read_text(encoding="utf-8"), encoding="utf-8")
        practice = content / "basis" / f"02-oefenen.{lang}.md"
        text = practice.read_text(encoding="utf-8").replace(
            "    start: begin\n", "    start: begin\n" + SCENARIO[lang], 1
        )
        practice.write_text(text, encoding="utf-8")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(content),
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
