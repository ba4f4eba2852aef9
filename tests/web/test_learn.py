"""The thin slice for learners: dashboard, lesson, knowledge check, scenario, mark as done, completion."""

from __future__ import annotations

import re

import markdown
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import LessonProgress, ModuleCompletion, ScenarioChoiceCount, ScenarioCompletion
from elearning.services import progress

from ..conftest import TEST_CONTENT, World, csrf_token, login


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


def test_unknown_module_is_404_and_a_removed_lesson_leads_on(employee: FlaskClient) -> None:
    assert employee.get("/learn/nope/").status_code == 404
    _done(employee, "01-welkom")
    response = employee.get("/learn/basis/03-verwijderd", headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/learn/basis/01-welkom")  # the position last saved
    page = employee.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "That lesson is no longer part of this module." in page
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
    count = db.scalar(
        select(func.count()).select_from(ModuleCompletion).where(ModuleCompletion.person_id == world.employee.id)
    )
    assert count == 1
    page = employee.get("/learn/basis/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You completed this module on" in page


def test_completion_is_reported_once(world: World, db: Session) -> None:
    catalog = load_catalog(TEST_CONTENT)
    assert progress.mark_lesson_done(db, catalog, world.employee, "basis", "01-welkom") is False
    assert progress.mark_lesson_done(db, catalog, world.employee, "basis", "02-oefenen") is True
    assert progress.mark_lesson_done(db, catalog, world.employee, "basis", "02-oefenen") is False
    completion = db.scalar(select(ModuleCompletion))
    assert completion is not None and len(completion.verification_code or "") == 12


def test_mark_done_without_csrf_loses_nothing(employee: FlaskClient, db: Session) -> None:
    response = employee.post("/learn/basis/01-welkom/done")
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_knowledge_check_gives_feedback_per_option(employee: FlaskClient, db: Session) -> None:
    token = csrf_token(employee, "/learn/basis/01-welkom")
    wrong = employee.post(
        "/learn/basis/01-welkom/check/welkom-effect",
        data={"csrf_token": token, "option": "a"},
        headers={"Accept-Language": "nl"},
    ).get_data(as_text=True)
    assert "Niet juist: het effect telt." in wrong
    assert "Juist: het effect op de ander telt." not in wrong
    right = employee.post(
        "/learn/basis/01-welkom/check/welkom-effect",
        data={"csrf_token": token, "option": "b"},
        headers={"Accept-Language": "nl"},
    ).get_data(as_text=True)
    assert "Juist: het effect op de ander telt." in right
    assert db.scalar(select(func.count()).select_from(LessonProgress)) == 0  # ungraded: nothing stored


@pytest.mark.parametrize(
    ("options", "status"),
    [([], 400), (["zz"], 400), (["a", "b"], 400)],
    ids=["none", "unknown-option", "two-on-single-choice"],
)
def test_knowledge_check_bad_answers(employee: FlaskClient, options: list[str], status: int) -> None:
    token = csrf_token(employee, "/learn/basis/01-welkom")
    response = employee.post(
        "/learn/basis/01-welkom/check/welkom-effect", data={"csrf_token": token, "option": options}
    )
    assert response.status_code == status


def test_knowledge_check_of_unknown_question_is_404(employee: FlaskClient) -> None:
    token = csrf_token(employee, "/learn/basis/01-welkom")
    response = employee.post("/learn/basis/01-welkom/check/nope", data={"csrf_token": token, "option": "a"})
    assert response.status_code == 404


def _choose(client: FlaskClient, scene: str, choice: str, token: str | None = None) -> object:
    base = "/learn/basis/02-oefenen/scenario/koffie"
    page = client.get(base).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert csrf
    data = {
        "csrf_token": csrf.group(1),
        "scene": scene,
        "choice": choice,
        "form_token": token or re.findall(r'name="form_token" value="([^"]+)"', page)[0],
    }
    return client.post(base, data=data)


def test_scenario_walk_shows_feedback_and_ending(employee: FlaskClient, world: World, db: Session) -> None:
    base = "/learn/basis/02-oefenen/scenario/koffie"
    start = employee.get(base, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "A colleague makes a joke" in start
    response = _choose(employee, "begin", "vragen")
    assert response.status_code == 303
    step = employee.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "He thinks for a moment." in step and "He apologises." in step
    assert "?scene=begin" in step  # a way back
    end = employee.get(
        _choose(employee, "gesprek", "verder").headers["Location"], headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "a good outcome" in end
    counts = {(c.scene_id, c.choice_id): c.count for c in db.scalars(select(ScenarioChoiceCount))}
    assert counts == {("begin", "vragen"): 1, ("gesprek", "verder"): 1, ("goed", ""): 1}
    finished = db.scalars(select(ScenarioCompletion)).all()
    assert [(f.person_id, f.scenario_id) for f in finished] == [(world.employee.id, "koffie")]


def test_scenario_counts_are_anonymous() -> None:
    columns = set(ScenarioChoiceCount.__table__.columns.keys())
    assert not {"person_id", "created_at", "updated_at"} & columns
    assert "scene_id" not in ScenarioCompletion.__table__.columns


def test_scenario_double_click_counts_once(employee: FlaskClient, db: Session) -> None:
    token = "same-token-for-both-clicks-123"
    assert _choose(employee, "begin", "zwijgen", token).status_code == 303
    assert _choose(employee, "begin", "zwijgen", token).status_code == 303
    assert db.scalar(select(ScenarioChoiceCount.count).where(ScenarioChoiceCount.choice_id == "zwijgen")) == 1


@pytest.mark.parametrize(
    ("scene", "choice", "token", "status"),
    [
        ("begin", "nope", None, 404),
        ("nope", "vragen", None, 404),
        ("stil", "vragen", None, 404),
        ("begin", "vragen", "bad token!", 400),
    ],
)
def test_forged_scenario_choices(
    employee: FlaskClient, db: Session, scene: str, choice: str, token: str | None, status: int
) -> None:
    assert _choose(employee, scene, choice, token).status_code == status
    assert db.scalar(select(func.count()).select_from(ScenarioChoiceCount)) == 0


@pytest.mark.parametrize("query", ["scene=nope", "scene=goed&from=begin&choice=vragen", "scene=goed&from=x&choice=y"])
def test_forged_scenario_steps_are_404(employee: FlaskClient, query: str) -> None:
    assert employee.get(f"/learn/basis/02-oefenen/scenario/koffie?{query}").status_code == 404


def test_position_resumes_on_another_device(app, world: World) -> None:  # type: ignore[no-untyped-def]
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "employee@example.org")
    laptop.get("/learn/basis/02-oefenen")
    login(phone, "employee@example.org")
    page = phone.get("/learn/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/learn/basis/02-oefenen"' in page
    phone.get("/learn/basis/01-welkom")
    assert 'href="/learn/basis/01-welkom"' in laptop.get("/learn/").get_data(as_text=True)


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


def test_dashboard_shows_the_completion_date(employee: FlaskClient) -> None:
    _done(employee, "01-welkom")
    _done(employee, "02-oefenen")
    page = employee.get("/learn/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Completed on" in page and "Continue where you left off" not in page
