"""The app serving a copy of the test modules in which the first lesson and the scenario carry a content warning."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from ..conftest import TEST_CONTENT, make_test_app

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
    yield from make_test_app(database_url, tmp_path, CONTENT_DIR=str(content))
