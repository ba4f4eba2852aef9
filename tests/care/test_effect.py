"""Effect measurement as a learner meets it, and what is stored: counts per unit and month, never a person's answers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from elearning.content import load_catalog
from elearning.models import (
    AuditEvent,
    EffectAnswerCount,
    EffectParticipation,
    Exemption,
    LessonProgress,
    ModuleCompletion,
    Person,
)
from elearning.services import effect
from elearning.services.errors import InvalidInput

from ..conftest import TEST_CONTENT, World, csrf_token, login

EN = {"Accept-Language": "en"}
PRE = "/learn/toets/effect/pre"
LESSON = "/learn/toets/01-les"
STATEMENTS = ("weet-melden", "durf-ingrijpen")


def _rows(db: Session) -> list[tuple[object, ...]]:
    """Every stored count, as an administrator would read the table (sorted, so storage order plays no part)."""
    db.expire_all()
    columns = [column.name for column in EffectAnswerCount.__table__.columns]
    result = db.execute(text(f"SELECT {', '.join(columns)} FROM effect_answer_count"))
    return sorted(tuple(value.isoformat() if isinstance(value, date) else value for value in row) for row in result)


def _answer(client: FlaskClient, url: str, values: dict[str, str], **extra: str) -> object:
    return client.post(url, data={"csrf_token": csrf_token(client, "/learn/"), **values, **extra}, headers=EN)


def _values(melden: int, durven: int) -> dict[str, str]:
    return {"s-weet-melden": str(melden), "s-durf-ingrijpen": str(durven)}


def test_the_pre_set_comes_before_the_first_lesson_and_skipping_goes_on_to_it(
    client: FlaskClient, world: World, db: Session
) -> None:
    login(client, "employee@example.org")
    response = client.get(LESSON)
    assert response.status_code == 302 and response.headers["Location"] == f"{PRE}?next={LESSON}"
    page = client.get(f"{PRE}?next={LESSON}", headers=EN).get_data(as_text=True)
    assert "I know where I can report unwanted behaviour." in page and "Strongly disagree" in page
    assert "Your answers are anonymous" in page and "Skipping has no effect on your progress" in page
    assert 'name="next" type="hidden" value="/learn/toets/01-les"' in page
    skipped = _answer(client, PRE, {}, skip="1", next=LESSON)
    assert skipped.status_code == 303 and skipped.headers["Location"] == LESSON
    assert client.get(LESSON).status_code == 200  # not asked again
    assert db.scalars(select(EffectParticipation.set_name)).all() == ["pre"]
    assert _rows(db) == []  # skipped: nothing counted
    assert client.get(PRE).status_code == 302  # done: the page sends the learner on


def test_no_pre_set_once_a_lesson_is_done_nor_for_a_module_without_one(
    client: FlaskClient, world: World, db: Session
) -> None:
    db.add(LessonProgress(person_id=world.employee.id, module_slug="toets", lesson_slug="01-les", content_version="x"))
    db.commit()
    login(client, "employee@example.org")
    assert client.get(LESSON).status_code == 200
    assert client.get(PRE).status_code == 302  # too late to measure the start
    assert client.get("/learn/basis/01-welkom").status_code == 200  # basis asks no questions
    assert client.get("/learn/basis/effect/pre").status_code == 404


def test_two_people_answer_and_nothing_stored_links_an_answer_to_either(app: Flask, world: World, db: Session) -> None:
    """The stored rows carry no person, no time of day and no id, mix both people, and do not depend on who answered
    first: the same answers given in the other order leave exactly the same rows."""
    employee, manager = app.test_client(), app.test_client()
    login(employee, "employee@example.org")  # both in team A1
    login(manager, "manager@example.org")
    audit_before = db.query(AuditEvent).count()
    assert _answer(employee, PRE, _values(2, 4)).status_code == 303
    assert _answer(manager, PRE, _values(4, 4)).status_code == 303
    # The post set of the same people, answered in the other order with the same values.
    for person in (world.employee, world.manager):
        db.add(ModuleCompletion(person_id=person.id, module_slug="toets", content_version="x"))
    db.commit()
    assert _answer(manager, "/learn/toets/effect/post", _values(4, 4)).status_code == 303
    assert _answer(employee, "/learn/toets/effect/post", _values(2, 4)).status_code == 303

    columns = {column["name"] for column in inspect(db.get_bind()).get_columns("effect_answer_count")}
    assert columns == {"organisation_id", "module_slug", "set_name", "item_id", "month"} | {
        f"count_{value}" for value in range(1, 6)
    }  # no person, no time of day, no id
    month = date.today().replace(day=1).isoformat()  # the month only: never the day or the time
    unit = world.team_a1.id
    rows = _rows(db)
    assert rows == sorted(
        [
            (unit, "toets", "pre", "durf-ingrijpen", month, 0, 0, 0, 2, 0),
            (unit, "toets", "pre", "weet-melden", month, 0, 1, 0, 1, 0),
            (unit, "toets", "post", "durf-ingrijpen", month, 0, 0, 0, 2, 0),
            (unit, "toets", "post", "weet-melden", month, 0, 1, 0, 1, 0),
        ]
    )
    by_set = {name: [row[:2] + row[3:] for row in rows if row[2] == name] for name in ("pre", "post")}
    assert by_set["pre"] == by_set["post"]  # answered in the other order: nothing differs
    marker_columns = {column["name"] for column in inspect(db.get_bind()).get_columns("effect_participation")}
    assert marker_columns == {"person_id", "module_slug", "set_name"}  # who is done, never what or when
    assert db.query(AuditEvent).count() == audit_before  # answering writes no timed event about a person
    if db.get_bind().dialect.name == "sqlite":  # stored in key order, without a rowid that follows the writes
        for table in ("effect_answer_count", "effect_participation"):
            with pytest.raises(DatabaseError):
                db.execute(text(f"SELECT rowid FROM {table}"))
            db.rollback()


def test_a_set_is_answered_once_even_in_two_tabs(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "employee@example.org")
    assert _answer(client, PRE, _values(3, 3)).status_code == 303
    again = _answer(client, PRE, _values(5, 5), next=LESSON)
    assert again.status_code == 303 and again.headers["Location"] == LESSON
    follow = client.get(LESSON, headers=EN).get_data(as_text=True)
    assert "You have already answered or skipped these questions." in follow
    assert [row[5:] for row in _rows(db)] == [(0, 0, 1, 0, 0), (0, 0, 1, 0, 0)]  # the first answers only
    catalog = load_catalog(TEST_CONTENT)
    person = db.get(Person, world.employee.id)
    assert person is not None
    with pytest.raises(InvalidInput):
        effect.answer(db, catalog, person, "toets", "pre", {s: "1" for s in STATEMENTS}, date.today())
    assert effect.skip(db, catalog, person, "toets", "pre", date.today()) is False


def test_the_marker_and_the_counts_are_one_transaction(
    world: World, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = load_catalog(TEST_CONTENT)
    person = db.get(Person, world.employee.id)
    assert person is not None

    def broken(*_args: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(effect, "_count", broken)
    with pytest.raises(RuntimeError):
        effect.answer(db, catalog, person, "toets", "pre", {s: "3" for s in STATEMENTS}, date.today())
    db.rollback()
    assert db.scalars(select(EffectParticipation)).all() == []  # no marker without its counts
    monkeypatch.undo()
    effect.answer(db, catalog, person, "toets", "pre", {s: "3" for s in STATEMENTS}, date.today())
    db.commit()
    assert len(db.scalars(select(EffectParticipation)).all()) == 1 and len(_rows(db)) == 2


@pytest.mark.parametrize(
    "values",
    [
        {"s-weet-melden": "3"},  # a statement left out
        {"s-weet-melden": "3", "s-durf-ingrijpen": "6"},  # off the scale
        {"s-weet-melden": "3", "s-durf-ingrijpen": "drie"},
        {"s-weet-melden": "0", "s-durf-ingrijpen": "1"},
    ],
)
def test_bad_answers_are_named_kept_and_nothing_is_stored(
    client: FlaskClient, world: World, db: Session, values: dict[str, str]
) -> None:
    login(client, "employee@example.org")
    response = _answer(client, PRE, values, next=LESSON)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a value from 1 to 5 for every statement, or skip these questions." in page
    for field, value in values.items():  # what was chosen on the scale is kept
        if value in {"1", "2", "3", "4", "5"}:
            assert re.search(rf'name="{field}" value="{value}" id="{field}-{value}" checked', page)
    assert 'name="next" type="hidden" value="/learn/toets/01-les"' in page
    assert db.scalars(select(EffectParticipation)).all() == [] and _rows(db) == []


def test_the_post_set_follows_completion(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "employee@example.org")
    assert client.get("/learn/toets/effect/post").status_code == 302  # not completed yet
    db.add(ModuleCompletion(person_id=world.employee.id, module_slug="toets", content_version="x"))
    db.commit()
    module_page = client.get("/learn/toets/", headers=EN).get_data(as_text=True)
    assert 'href="/learn/toets/effect/post"' in module_page
    assert client.get("/learn/toets/effect/post").status_code == 200
    assert _answer(client, "/learn/toets/effect/post", _values(5, 4)).status_code == 303
    assert 'href="/learn/toets/effect/post"' not in client.get("/learn/toets/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("days_ago", "offered"),
    [(59, False), (60, True), (119, True), (120, False)],  # from 60 days after completion, for 60 days
)
def test_the_follow_up_set_is_offered_on_the_dashboard_60_days_after_completion(
    client: FlaskClient, world: World, db: Session, days_ago: int, offered: bool
) -> None:
    completed = datetime.now(UTC) - timedelta(days=days_ago)
    db.add(
        ModuleCompletion(person_id=world.employee.id, module_slug="toets", content_version="x", completed_at=completed)
    )
    db.commit()
    login(client, "employee@example.org")
    dashboard = client.get("/learn/", headers=EN).get_data(as_text=True)
    link = "/learn/toets/effect/follow-up?next=/learn/"
    assert (link in dashboard) is offered
    assert (client.get("/learn/toets/effect/follow-up").status_code == 200) is offered
    if offered:
        assert _answer(client, "/learn/toets/effect/follow-up", _values(4, 4), next="/learn/").status_code == 303
        assert link not in client.get("/learn/").get_data(as_text=True)
        assert {row[2] for row in _rows(db)} == {"follow-up"}


def test_someone_without_a_unit_is_not_asked(world: World, db: Session) -> None:
    person = world.person("nowhere@example.org", world.team_a1)
    person.organisation_id = None
    db.commit()
    catalog = load_catalog(TEST_CONTENT)
    module = catalog.module("toets")
    assert module is not None
    assert effect.pre_pending(module, person, frozenset(), frozenset()) is False
    assert effect.state_of(db, module, person, "pre", date.today()) is effect.SetState.CLOSED


def test_my_data_says_which_sets_are_done_never_the_answers(client: FlaskClient, world: World, db: Session) -> None:
    db.add(
        Exemption(person_id=world.employee.id, module_slug="basis", reason="parental_leave", ends_on=date(2031, 1, 1))
    )
    db.commit()
    login(client, "employee@example.org")
    assert _answer(client, PRE, _values(2, 5)).status_code == 303
    data = client.get("/me/data.json").get_json()
    assert data["effect_questions_done"] == [{"module": "toets", "set": "pre"}]
    assert [(e["module"], e["reason"], e["ends_on"]) for e in data["exemptions"]] == [
        ("basis", "parental_leave", "2031-01-01")
    ]
    page = client.get("/me/", headers=EN).get_data(as_text=True)
    assert "Parental leave" in page and "before the module" in page


def test_asking_before_the_first_lesson_costs_the_lesson_page_no_query(
    app: Flask, client: FlaskClient, world: World, db: Session
) -> None:
    from sqlalchemy import event

    login(client, "employee@example.org")
    _answer(client, PRE, {}, skip="1")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = app.extensions["db_engine"]
    client.get(LESSON)  # the position is stored on the first visit
    client.get("/learn/basis/01-welkom")
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(LESSON).status_code == 200
        with_questions = len(statements)
        statements.clear()
        assert client.get("/learn/basis/01-welkom").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert with_questions == len(statements)  # the module with effect questions reads no more than one without
