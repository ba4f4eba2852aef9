"""Graded assessments: draw from pools, score once, retry, best score, completion, and bad input."""

from __future__ import annotations

import random
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import AssessmentAnswer, AssessmentAttempt, ModuleCompletion
from elearning.services import assessment
from elearning.services.errors import InvalidInput, NotFound

from ..conftest import TEST_CONTENT, World, csrf_token, login

RIGHT = {"vast-een": ["a"], "vast-twee": ["a", "b"], "keuze-een": ["a"], "keuze-twee": ["a"]}


@pytest.fixture
def employee(client: FlaskClient, world: World) -> FlaskClient:
    login(client, "employee@example.org")
    return client


def _start(client: FlaskClient) -> int:
    token = csrf_token(client, "/learn/toets/assessment/")
    response = client.post("/learn/toets/assessment/", data={"csrf_token": token})
    assert response.status_code == 303
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _questions(client: FlaskClient, attempt_id: int) -> list[str]:
    page = client.get(f"/learn/toets/assessment/{attempt_id}").get_data(as_text=True)
    return list(dict.fromkeys(re.findall(r'name="q-([a-z-]+)"', page)))


def _submit(client: FlaskClient, attempt_id: int, answers: dict[str, list[str]]) -> object:
    token = csrf_token(client, f"/learn/toets/assessment/{attempt_id}")
    data: dict[str, object] = {"csrf_token": token} | {f"q-{q}": ids for q, ids in answers.items()}
    return client.post(f"/learn/toets/assessment/{attempt_id}", data=data, headers={"Accept-Language": "en"})


def test_draw_takes_every_unpooled_question_and_one_per_pool() -> None:
    module = load_catalog(TEST_CONTENT).module("toets")
    assert module is not None and module.assessment is not None
    draws = {module.assessment.draw(random.Random(seed)) for seed in range(30)}
    assert all(len(d) == 3 and {"vast-een", "vast-twee"} <= set(d) for d in draws)
    assert {q for d in draws for q in d} == {"vast-een", "vast-twee", "keuze-een", "keuze-twee"}


def test_double_start_gives_the_same_attempt(employee: FlaskClient, db: Session) -> None:
    assert _start(employee) == _start(employee)
    assert db.scalar(select(func.count()).select_from(AssessmentAttempt)) == 1


def test_fail_then_pass_keeps_count_and_best_score(employee: FlaskClient, db: Session, world: World) -> None:
    first = _start(employee)
    asked = _questions(employee, first)
    assert len(asked) == 3
    wrong = {q: ["c"] for q in asked}
    result = _submit(employee, first, wrong)
    assert result.status_code == 303
    page = employee.get(f"/learn/toets/assessment/{first}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Your score: 0%." in page and "You need 60% to pass" in page
    assert f"Feedback {asked[0]}-c." in page

    second = _start(employee)
    assert second != first
    answers = {q: RIGHT[q] for q in _questions(employee, second)}
    assert _submit(employee, second, answers).status_code == 303
    page = employee.get("/learn/toets/assessment/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Passed" in page and "100%" in page
    attempts = db.scalars(select(AssessmentAttempt).order_by(AssessmentAttempt.number)).all()
    assert [(a.number, a.score, a.passed) for a in attempts] == [(1, 0, False), (2, 100, True)]
    assert db.scalar(select(func.count()).select_from(AssessmentAnswer)) == 6


def test_completion_needs_lessons_and_a_pass(employee: FlaskClient, db: Session) -> None:
    attempt = _start(employee)
    _submit(employee, attempt, {q: RIGHT[q] for q in _questions(employee, attempt)})
    assert db.scalar(select(func.count()).select_from(ModuleCompletion)) == 0  # the lesson is not done yet
    token = csrf_token(employee, "/learn/toets/")
    response = employee.post("/learn/toets/01-les/done", data={"csrf_token": token})
    assert response.headers["Location"].endswith("/learn/toets/effect/post")  # the voluntary questions after it
    completion = db.scalar(select(ModuleCompletion))
    assert completion is not None and completion.module_slug == "toets"


def test_last_lesson_leads_to_the_assessment(employee: FlaskClient) -> None:
    token = csrf_token(employee, "/learn/toets/")
    response = employee.post("/learn/toets/01-les/done", data={"csrf_token": token})
    assert response.headers["Location"].endswith("/learn/toets/assessment/")


def test_double_submit_scores_once(employee: FlaskClient, db: Session) -> None:
    attempt = _start(employee)
    answers = {q: RIGHT[q] for q in _questions(employee, attempt)}
    assert _submit(employee, attempt, answers).status_code == 303
    assert _submit(employee, attempt, answers).status_code == 303  # the same click again
    assert db.scalar(select(func.count()).select_from(AssessmentAnswer)) == 3
    changed = _submit(employee, attempt, {q: ["c"] for q in answers})
    assert changed.status_code == 400
    assert "already submitted" in changed.get_data(as_text=True)


def test_incomplete_answers_are_kept_and_named(employee: FlaskClient, db: Session) -> None:
    attempt = _start(employee)
    first = _questions(employee, attempt)[0]
    response = _submit(employee, attempt, {first: ["b"]})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Answer every question before you submit (2 left open)." in body
    assert re.search(rf'value="b"\s+id="q-{first}-b" checked', body)
    assert db.scalar(select(func.count()).select_from(AssessmentAnswer)) == 0


@pytest.mark.parametrize(
    "forge",
    [
        lambda a: a | {"nope": ["a"]},
        lambda a: {q: ["zz"] for q in a},
        lambda a: {q: (["a", "c"] if q == "vast-een" else ids) for q, ids in a.items()},
    ],
    ids=["unknown-question", "unknown-option", "two-on-single-choice"],
)
def test_forged_answers_are_refused(employee: FlaskClient, db: Session, forge: object) -> None:
    attempt = _start(employee)
    answers = {q: RIGHT[q] for q in _questions(employee, attempt)}
    answers.setdefault("vast-een", ["a"])
    response = _submit(employee, attempt, forge(answers))  # type: ignore[operator]
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(AssessmentAnswer)) == 0


def test_someone_elses_attempt_is_not_found(app, world: World, db: Session) -> None:  # type: ignore[no-untyped-def]
    owner = app.test_client()
    login(owner, "employee@example.org")
    attempt = _start(owner)
    other = app.test_client()
    login(other, "manager@example.org")
    assert other.get(f"/learn/toets/assessment/{attempt}").status_code == 404
    token = csrf_token(other, "/learn/toets/assessment/")
    response = other.post(f"/learn/toets/assessment/{attempt}", data={"csrf_token": token, "q-vast-een": "a"})
    assert response.status_code == 404
    assert other.get("/learn/basis/assessment/").status_code == 404  # a module without an assessment


def test_service_rules(world: World, db: Session) -> None:
    catalog = load_catalog(TEST_CONTENT)
    attempt = assessment.start(db, catalog, world.employee, "toets", random.Random(3))
    with pytest.raises(NotFound):
        assessment.attempt_of(db, catalog, world.manager, "toets", attempt.id)
    with pytest.raises(InvalidInput):
        assessment.submit(db, catalog, world.employee, "toets", attempt.id, {})
    result = assessment.submit(db, catalog, world.employee, "toets", attempt.id, {q: RIGHT[q] for q in attempt.layout})
    assert result.passed is True and result.score == 100
    assert sorted(attempt.layout["vast-een"]) == ["a", "b", "c"]
