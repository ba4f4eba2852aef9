"""My data: the page and the JSON and CSV downloads hold all of my rows, none of anyone else's, and no formulas."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import Person, ScenarioCompletion
from elearning.services import assessment, my_data, position, progress

from ..conftest import TEST_CONTENT, World, login

RIGHT = {"vast-een": ["a"], "vast-twee": ["a", "b"], "keuze-een": ["a"], "keuze-twee": ["a"]}
FORMULA = "=cmd|' /C calc'!A0"


def give_history(db: Session, person: Person, employee_number: str) -> None:
    """A bit of everything the platform stores about a person."""
    catalog = load_catalog(TEST_CONTENT)
    person.employee_number = employee_number
    progress.mark_lesson_done(db, catalog, person, "basis", "01-welkom")
    progress.mark_lesson_done(db, catalog, person, "basis", "02-oefenen")
    attempt = assessment.start(db, catalog, person, "toets", random.Random(1))
    assessment.submit(db, catalog, person, "toets", attempt.id, {q: RIGHT[q] for q in attempt.layout})
    db.add(
        ScenarioCompletion(
            person_id=person.id,
            module_slug="basis",
            scenario_id="koffie",
            completed_at=datetime(2026, 2, 1, tzinfo=UTC),
        )
    )
    position.open_lesson(db, person, catalog.modules["basis"], "02-oefenen")
    db.commit()


@pytest.fixture
def two_people(world: World, db: Session) -> World:
    give_history(db, world.employee, "E-1001")
    give_history(db, world.colleague_b, "E-2002")
    return world


@pytest.fixture
def employee(client: FlaskClient, two_people: World) -> FlaskClient:
    login(client, "employee@example.org")
    return client


def _codes(db: Session, person: Person) -> str:
    completion = progress.completion(db, person, "basis")
    assert completion is not None and completion.verification_code
    return completion.verification_code


def test_json_holds_my_rows_and_nobody_elses(employee: FlaskClient, two_people: World, db: Session) -> None:
    response = employee.get("/me/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    profile = data["profile"]
    assert profile["email"] == "employee@example.org" and profile["employee_number"] == "E-1001"
    assert (profile["organisation_code"], profile["organisation_name"]) == ("DG-A-1", "Team A1")
    assert profile["is_manager"] is False and profile["active"] is True and profile["created_at"]
    assert [(r["module"], r["lesson"]) for r in data["lesson_progress"]] == [
        ("basis", "01-welkom"),
        ("basis", "02-oefenen"),
    ]
    assert [c["verification_code"] for c in data["module_completions"]] == [_codes(db, two_people.employee)]
    assert data["module_completions"][0]["content_version"]
    [attempt] = data["assessment_attempts"]
    assert (attempt["module"], attempt["number"], attempt["score"], attempt["passed"]) == ("toets", 1, 100, True)
    assert attempt["started_at"] and attempt["submitted_at"] and attempt["content_version"]
    assert sorted(a["question_id"] for a in attempt["answers"]) == sorted(attempt["questions_shown"])
    assert all(a["correct"] is True and a["option_ids"] for a in attempt["answers"])
    assert data["scenario_completions"] == [
        {"module": "basis", "scenario": "koffie", "completed_at": "2026-02-01T00:00:00+00:00"}
    ]
    assert [(p["module"], p["lesson"]) for p in data["learner_positions"]] == [("basis", "02-oefenen")]
    text = response.get_data(as_text=True)
    assert "colleague-b@example.org" not in text and "E-2002" not in text
    assert _codes(db, two_people.colleague_b) not in text
    assert "password_hash" not in text and "$argon2" not in text


def test_roles_come_with_their_scope(client: FlaskClient, world: World) -> None:
    login(client, "hr-a@example.org")
    roles = json.loads(client.get("/me/data.json").data)["roles"]
    assert [(r["role"], r["scope_code"]) for r in roles] == [("hr", "DG-A")]


def _csv(client: FlaskClient) -> list[list[str]]:
    response = client.get("/me/data.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-data.csv"'
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_csv_is_one_table_of_my_data(employee: FlaskClient, two_people: World, db: Session) -> None:
    rows = _csv(employee)
    assert rows[0] == ["section", "field", "value"]
    cells = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert cells[("profile", "email")] == ["employee@example.org"]
    assert cells[("profile", "is_manager")] == ["false"]
    assert cells[("module_completions", "1.verification_code")] == [_codes(db, two_people.employee)]
    assert cells[("lesson_progress", "2.lesson")] == ["02-oefenen"]
    assert cells[("assessment_attempts", "1.score")] == ["100"]
    assert cells[("scenario_completions", "1.scenario")] == ["koffie"]
    assert ("roles", "") in cells  # present, and empty
    flat = "\n".join(";".join(r) for r in rows)
    assert "colleague-b@example.org" not in flat and _codes(db, two_people.colleague_b) not in flat


def test_csv_neutralises_formulas(employee: FlaskClient, two_people: World, db: Session) -> None:
    two_people.employee.name = FORMULA
    db.commit()
    rows = _csv(employee)
    name = next(r for r in rows if r[:2] == ["profile", "name"])
    assert name[2] == "'" + FORMULA
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


@pytest.mark.parametrize("value", ["=1+2", "+31 6", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_safe_cell_prefixes_a_quote(value: str) -> None:
    assert my_data.safe_cell(value) == "'" + value
    assert my_data.safe_cell("Jan " + value) == "Jan " + value


def test_page_shows_my_data_in_tables(employee: FlaskClient, two_people: World, db: Session) -> None:
    page = employee.get("/me/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>My data</h1>" in page
    assert "employee@example.org" in page and "E-1001" in page and "Team A1 (DG-A-1)" in page
    assert _codes(db, two_people.employee) in page and _codes(db, two_people.colleague_b) not in page
    assert "/me/data.json" in page and "/me/data.csv" in page and "/me/certificates/basis.pdf" in page
    assert "Basics" in page and "Practise" in page and "koffie" in page and "100%" in page
    assert "<caption id=" in page and 'scope="row"' in page and 'scope="col"' in page
    assert 'href="/me/"' in page and 'aria-current="page"' in page  # the nav link, marked as current
    assert "colleague-b@example.org" not in page


def test_page_for_someone_without_history(client: FlaskClient, world: World) -> None:
    login(client, "manager@example.org")
    page = client.get("/me/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You have not completed a module yet." in page
    assert json.loads(client.get("/me/data.json").data)["module_completions"] == []


@pytest.mark.parametrize("path", ["/me/", "/me/data.json", "/me/data.csv", "/me/certificates/basis.pdf"])
def test_my_data_needs_login(client: FlaskClient, world: World, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
