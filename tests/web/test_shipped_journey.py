"""A manager completes all four shipped modules end to end through the web, in Dutch and in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning import create_app
from elearning.content import Module
from elearning.models import EffectAnswerCount, EffectParticipation, ModuleCompletion

from ..conftest import World, csrf_token, login

CONTENT = Path(__file__).resolve().parents[2] / "content" / "modules"


@pytest.fixture
def shipped_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(CONTENT),
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "x" * 40,
        }
    )
    yield app
    app.extensions["db_engine"].dispose()


def _answer_effect_set(
    client: FlaskClient, module: Module, name: str, language: str, before: str | None = None
) -> None:
    """The voluntary questions of the effect measurement, answered with a 4 each (before the first lesson: on the way
    to it)."""
    if before is not None:
        first = client.get(f"/learn/{module.slug}/{before}")
        assert first.status_code == 302 and f"/learn/{module.slug}/effect/{name}" in first.headers["Location"]
    url = f"/learn/{module.slug}/effect/{name}"
    questions = module.effect_set(name, language)
    assert questions is not None
    page = client.get(url).get_data(as_text=True)
    assert all(item.text_html in page for item in questions.items)
    answers = {f"s-{item.id}": "4" for item in questions.items}
    assert client.post(url, data={"csrf_token": csrf_token(client, url)} | answers).status_code == 303


@pytest.mark.parametrize("language", ["nl", "en"])
def test_all_four_modules_can_be_completed(shipped_app: Flask, world: World, db: Session, language: str) -> None:
    client = shipped_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    login(client, "manager@example.org")
    catalog = shipped_app.extensions["catalog"].get()
    for module in catalog.modules.values():
        if module.effect is not None and "pre" in module.effect.names:
            _answer_effect_set(client, module, "pre", language, before=module.lessons[0].slug)
        for lesson in module.lessons:
            page = client.get(f"/learn/{module.slug}/{lesson.slug}")
            assert page.status_code == 200, (module.slug, lesson.slug)
            assert str(escape(lesson.text(language).title)) in page.get_data(as_text=True)
            token = csrf_token(client, f"/learn/{module.slug}/{lesson.slug}")
            done = client.post(f"/learn/{module.slug}/{lesson.slug}/done", data={"csrf_token": token})
            assert done.status_code == 302
        if module.assessment is not None:
            token = csrf_token(client, f"/learn/{module.slug}/assessment/")
            started = client.post(f"/learn/{module.slug}/assessment/", data={"csrf_token": token})
            attempt_url = started.headers["Location"]
            page = client.get(attempt_url).get_data(as_text=True)
            asked = list(dict.fromkeys(re.findall(r'name="q-([a-z0-9-]+)"', page)))
            text = module.assessment.text(language)
            answers = {f"q-{q}": sorted(text.question(q).correct_ids) for q in asked}  # type: ignore[union-attr]
            token = csrf_token(client, attempt_url)
            assert client.post(attempt_url, data={"csrf_token": token} | answers).status_code == 303
            assert "100%" in client.get(attempt_url).get_data(as_text=True)
        if module.effect is not None and "post" in module.effect.names:
            _answer_effect_set(client, module, "post", language)
    done = set(db.scalars(select(ModuleCompletion.module_slug).where(ModuleCompletion.person_id == world.manager.id)))
    assert done == {"a-herkennen", "b-omstander", "c-melden-en-steun", "d-leidinggevenden"}
    marked = set(db.execute(select(EffectParticipation.module_slug, EffectParticipation.set_name)))
    assert marked == {(slug, name) for slug in ("a-herkennen", "b-omstander") for name in ("pre", "post")}
    fours = db.scalars(select(EffectAnswerCount.count_4)).all()
    assert fours and set(fours) == {1}  # one person, one answer per statement and set
