"""The thin slice for learners: dashboard, lesson, knowledge check, scenario, mark as done, completion."""

from __future__ import annotations

import markdown
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.models import LessonProgress, ModuleCompletion

from ..conftest import World, csrf_token, login


@pytest.fixture
def employee(client: FlaskClient, world: World) -> FlaskClient:
    login(client, "employee@example.org")
    return client


def _done(client: FlaskClient, lesson: str) -> object:
    token = csrf_token(client, f"/learn/basis/{lesson}")
    return client.post(f"/learn/basis/{lesson}/done", data={"csrf_token": token})


def test_dashboard_lists_the_modules_for_me(employee: FlaskClient) -> None:
    page = employee.get("/learn/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Basis" in page
    assert "Leiding" not in page  # a managers' module
    assert "Niet gestart" in page


def test_managers_module_is_hidden_from_employees(employee: FlaskClient) -> None:
    assert employee.get("/learn/leiding/").status_code == 404
    assert employee.get("/learn/leiding/01-voorbeeld").status_code == 404


def test_manager_sees_the_managers_module(client: FlaskClient, world: World) -> None:
    login(client, "manager@example.org")
    assert client.get("/learn/leiding/01-voorbeeld").status_code == 200


def test_lesson_shows_content_in_the_chosen_language(employee: FlaskClient) -> None:
    dutch = employee.get("/learn/basis/01-welkom", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Dit is de eerste les." in dutch
    assert "Les 1 van 2" in dutch
    english = employee.get("/learn/basis/01-welkom", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "This is the first lesson." in english
    assert "Lesson 1 of 2" in english


def test_placeholders_are_filled(employee: FlaskClient) -> None:
    page = employee.get("/learn/basis/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "{vertrouwenspersoon_contact}" not in page
    assert "the confidential adviser of your organisation" in page


def test_unknown_module_or_lesson_is_404(employee: FlaskClient) -> None:
    assert employee.get("/learn/nope/").status_code == 404
    assert employee.get("/learn/basis/nope").status_code == 404
    token = csrf_token(employee, "/learn/basis/01-welkom")
    assert employee.post("/learn/basis/nope/done", data={"csrf_token": token}).status_code == 404


def test_learning_needs_login(client: FlaskClient, world: World) -> None:
    response = client.get("/learn/basis/01-welkom")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_mark_done_stores_progress_once(employee: FlaskClient, world: World, db: Session) -> None:
    first = _done(employee, "01-welkom")
    assert first.status_code == 302
    assert first.headers["Location"].endswith("/learn/basis/02-oefenen")
    assert _done(employee, "01-welkom").status_code == 302  # double click
    rows = db.scalars(select(LessonProgress).where(LessonProgress.person_id == world.employee.id)).all()
    assert [(r.module_slug, r.lesson_slug) for r in rows] == [("basis", "01-welkom")]
    assert rows[0].content_version  # the module's version is recorded
    assert "In uitvoering" in employee.get("/learn/", headers={"Accept-Language": "nl"}).get_data(as_text=True)


def test_all_lessons_done_completes_the_module(employee: FlaskClient, world: World, db: Session) -> None:
    _done(employee, "01-welkom")
    response = _done(employee, "02-oefenen")
    assert response.headers["Location"].endswith("/learn/basis/")
    _done(employee, "02-oefenen")
    count = db.scalar(select(func.count()).select_from(ModuleCompletion)
                      .where(ModuleCompletion.person_id == world.employee.id))
    assert count == 1
    page = employee.get("/learn/basis/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You completed this module on" in page


def test_mark_done_without_csrf_loses_nothing(employee: FlaskClient, db: Session) -> None:
    response = employee.post("/learn/basis/01-welkom/done")
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_knowledge_check_gives_feedback_per_option(employee: FlaskClient, db: Session) -> None:
    token = csrf_token(employee, "/learn/basis/01-welkom")
    wrong = employee.post("/learn/basis/01-welkom/check/welkom-effect", data={"csrf_token": token, "option": "a"},
                          headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Niet juist: het effect telt." in wrong
    assert "Juist: het effect op de ander telt." not in wrong
    right = employee.post("/learn/basis/01-welkom/check/welkom-effect", data={"csrf_token": token, "option": "b"},
                          headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Juist: het effect op de ander telt." in right
    assert db.scalar(select(func.count()).select_from(LessonProgress)) == 0  # ungraded: nothing stored


@pytest.mark.parametrize(
    ("options", "status"),
    [([], 400), (["zz"], 400), (["a", "b"], 400)],
    ids=["none", "unknown-option", "two-on-single-choice"],
)
def test_knowledge_check_bad_answers(employee: FlaskClient, options: list[str], status: int) -> None:
    token = csrf_token(employee, "/learn/basis/01-welkom")
    response = employee.post("/learn/basis/01-welkom/check/welkom-effect",
                             data={"csrf_token": token, "option": options})
    assert response.status_code == status


def test_knowledge_check_of_unknown_question_is_404(employee: FlaskClient) -> None:
    token = csrf_token(employee, "/learn/basis/01-welkom")
    response = employee.post("/learn/basis/01-welkom/check/nope", data={"csrf_token": token, "option": "a"})
    assert response.status_code == 404


def test_scenario_walk_shows_feedback_and_ending(employee: FlaskClient) -> None:
    base = "/learn/basis/02-oefenen/scenario/koffie"
    start = employee.get(base, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A colleague makes a joke" in start
    step = employee.get(f"{base}?scene=gesprek&from=begin&choice=vragen",
                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "He thinks for a moment." in step and "He apologises." in step
    end = employee.get(f"{base}?scene=goed&from=gesprek&choice=verder",
                       headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "a good outcome" in end


@pytest.mark.parametrize("query", ["scene=nope", "scene=goed&from=begin&choice=vragen", "scene=goed&from=x&choice=y"])
def test_forged_scenario_steps_are_404(employee: FlaskClient, query: str) -> None:
    assert employee.get(f"/learn/basis/02-oefenen/scenario/koffie?{query}").status_code == 404


def test_serving_a_lesson_renders_no_markdown(employee: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("markdown rendered during a request")

    monkeypatch.setattr(markdown.Markdown, "convert", forbidden)
    assert employee.get("/learn/basis/02-oefenen").status_code == 200
    assert employee.get("/learn/").status_code == 200


def test_reflection_has_no_form_that_sends_it(employee: FlaskClient) -> None:
    page = employee.get("/learn/basis/02-oefenen").get_data(as_text=True)
    textarea_at = page.index("<textarea")
    assert "name=" not in page[textarea_at : page.index(">", textarea_at)]
    section = page[page.index('id="reflection-eigen-team"') : page.index("</section>", textarea_at)]
    assert "<form" not in section
