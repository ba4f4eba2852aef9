"""Statements are queued with the learner's own write: launched, completed, passed/failed, scenario ended."""

from __future__ import annotations

import json
import re
import socket

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from elearning.models import XapiStatement

from ..conftest import World, login
from .conftest import BASE_URL, Receiver, make_app, xapi_config

RIGHT = {"vast-een": ["a"], "vast-twee": ["a", "b"], "keuze-een": ["a"], "keuze-twee": ["a"]}
WRONG = {"vast-een": ["b"], "vast-twee": ["a"], "keuze-een": ["b"], "keuze-twee": ["b"]}


def _token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert found, path
    return found.group(1)


def _queued(db: Session) -> list[XapiStatement]:
    db.expire_all()
    return list(db.scalars(select(XapiStatement).order_by(XapiStatement.id)))


def _finish_basis(client: FlaskClient) -> None:
    for lesson in ("01-welkom", "02-oefenen"):
        assert client.get(f"/learn/basis/{lesson}").status_code == 200
        token = _token(client, f"/learn/basis/{lesson}")
        assert client.post(f"/learn/basis/{lesson}/done", data={"csrf_token": token}).status_code == 302


def _walk_scenario(client: FlaskClient) -> None:
    base = "/learn/basis/02-oefenen/scenario/koffie"
    for scene, choice in (("begin", "vragen"), ("gesprek", "verder")):
        page = client.get(base).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        form_token = re.findall(r'name="form_token" value="([^"]+)"', page)[0]
        assert token
        data = {"csrf_token": token.group(1), "scene": scene, "choice": choice, "form_token": form_token}
        assert client.post(base, data=data).status_code == 303


def _attempt(client: FlaskClient, answers: dict[str, list[str]]) -> None:
    token = _token(client, "/learn/toets/assessment/")
    started = client.post("/learn/toets/assessment/", data={"csrf_token": token})
    path = started.headers["Location"]
    page = client.get(path).get_data(as_text=True)
    questions = list(dict.fromkeys(re.findall(r'name="q-([a-z-]+)"', page)))
    data: dict[str, object] = {"csrf_token": _token(client, path)} | {f"q-{q}": answers[q] for q in questions}
    assert client.post(path, data=data).status_code == 303


def test_a_learners_steps_become_statements(learner: FlaskClient, db: Session, world: World, xapi_app: Flask) -> None:
    _finish_basis(learner)
    rows = _queued(db)
    assert [row.verb for row in rows] == ["launched", "completed"]  # the second lesson is no new launch
    launched, completed = (row.body for row in rows)
    catalog = xapi_app.extensions["catalog"].get()
    basis = catalog.modules["basis"]
    assert launched["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    assert launched["object"]["id"] == f"{BASE_URL}/learn/basis/"
    assert launched["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/module"
    assert set(launched["object"]["definition"]["name"]) == {"nl", "en"}
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert completed["result"] == {"completion": True}
    assert completed["context"]["extensions"] == {f"{BASE_URL}/xapi/extensions/content-version": basis.version}
    assert completed["version"] == "1.0.3" and completed["timestamp"].startswith("20")
    # The learner is an account with a pseudonym: nothing in any statement names them.
    settings = xapi_app.extensions["xapi"]
    for row in rows:
        assert row.body["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": BASE_URL, "name": settings.pseudonym(world.employee.id)},
        }
        text = json.dumps(row.body)
        assert world.employee.email not in text and world.employee.name not in text
        assert row.statement_id == row.body["id"] and row.person_id == world.employee.id
        assert row.sent_at is None and row.attempts == 0 and row.next_attempt_at == row.timestamp
    # Reloading and revisiting write no further statement.
    learner.get("/learn/basis/01-welkom")
    token = _token(learner, "/learn/basis/02-oefenen")
    learner.post("/learn/basis/02-oefenen/done", data={"csrf_token": token})
    assert len(_queued(db)) == 2


def test_assessment_attempts_say_passed_or_failed_with_the_score(learner: FlaskClient, db: Session) -> None:
    _attempt(learner, WRONG)
    _attempt(learner, RIGHT)
    verbs = [row.verb for row in _queued(db)]
    assert verbs == ["failed", "passed"]  # the lesson of `toets` was never done: no completion yet
    failed, passed = (row.body for row in _queued(db))
    assert failed["object"]["id"] == f"{BASE_URL}/learn/toets/assessment/"
    assert failed["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert failed["result"]["success"] is False and passed["result"]["success"] is True
    # Three questions drawn (two fixed, one from a pool of two); all wrong, then all right.
    assert failed["result"]["score"] == {"scaled": 0.0, "raw": 0, "min": 0, "max": 3}
    assert passed["result"]["score"] == {"scaled": 1.0, "raw": 3, "min": 0, "max": 3}
    extensions = passed["context"]["extensions"]
    assert extensions[f"{BASE_URL}/xapi/extensions/pass-mark"] == 0.6  # pass_mark: 60
    assert extensions[f"{BASE_URL}/xapi/extensions/attempt"] == 2
    assert passed["context"]["contextActivities"]["parent"][0]["id"] == f"{BASE_URL}/learn/toets/"
    # Answers never leave: no question or option id in the statement.
    assert not any(question in json.dumps(passed) for question in RIGHT)


def test_a_scenario_ending_says_only_that_it_ended(learner: FlaskClient, db: Session) -> None:
    _walk_scenario(learner)
    rows = [row for row in _queued(db) if row.verb == "ended"]
    assert len(rows) == 1
    body = rows[0].body
    assert body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert body["object"]["id"] == f"{BASE_URL}/learn/basis/02-oefenen/scenario/koffie"
    assert body["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/simulation"
    assert body["result"] == {"completion": True}
    text = json.dumps(body)
    for scene_or_choice in ("begin", "vragen", "gesprek", "verder", "goed", "good", "stil", "zwijgen"):
        assert f'"{scene_or_choice}"' not in text and f"/{scene_or_choice}" not in text
    # Finishing it again (another path) adds nothing: per person only that it was finished, once.
    _walk_scenario(learner)
    assert len([row for row in _queued(db) if row.verb == "ended"]) == 1


def test_nothing_is_queued_when_xapi_is_off(app: Flask, db: Session, world: World) -> None:
    client = app.test_client()
    login(client, world.employee.email)
    _finish_basis(client)
    _attempt(client, RIGHT)
    assert _queued(db) == []
    assert app.extensions["xapi"] is None


def test_a_rolled_back_write_queues_nothing(learner: FlaskClient, db: Session) -> None:
    path = "/learn/toets/assessment/"
    token = _token(learner, path)
    attempt = learner.post(path, data={"csrf_token": token}).headers["Location"]
    # An incomplete submission is refused (400) and rolled back: no statement either.
    assert learner.post(attempt, data={"csrf_token": _token(learner, attempt)}).status_code == 400
    assert [row.verb for row in _queued(db)] == []


def test_the_learners_requests_make_no_network_call(
    learner: FlaskClient, db: Session, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []

    def no_network(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise AssertionError("a learner's request tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    _finish_basis(learner)
    _attempt(learner, RIGHT)
    _walk_scenario(learner)
    monkeypatch.undo()
    assert calls == [] and receiver.requests == []
    assert {row.verb for row in _queued(db)} == {"launched", "completed", "passed", "ended"}


def test_mbox_when_the_store_needs_the_e_mail_address(
    database_url: str, tmp_path, world: World, db: Session, receiver: Receiver, app: Flask
) -> None:
    on = make_app(database_url, tmp_path, **xapi_config(receiver.url, XAPI_ACTOR="mbox"))
    client = on.test_client()
    login(client, world.employee.email)
    _finish_basis(client)
    on.extensions["db_engine"].dispose()
    assert {json.dumps(row.body["actor"]) for row in _queued(db)} == {
        json.dumps({"objectType": "Agent", "mbox": f"mailto:{world.employee.email}"})
    }


def test_the_privacy_page_says_what_goes_to_the_store_only_when_on(app: Flask, xapi_app: Flask) -> None:
    on = xapi_app.test_client().get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    off = app.test_client().get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "learning record store" in on and "under a code instead of your name" in on
    assert "learning record store" not in off
