"""Counting scenario choices and endings anonymously, and recording per person only that a scenario was finished."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..content import Catalog, Scenario
from ..models import Person, ScenarioChoiceCount, ScenarioCompletion, utcnow
from .errors import NotFound
from .idempotency import claim
from .learning import visible_module
from .scenario_walk import Step, step
from .upsert import insert_ignore
from .xapi import record as xapi


def find_scenario(catalog: Catalog, person: Person, module_slug: str, lesson_slug: str, scenario_id: str) -> Scenario:
    module = visible_module(catalog, person, module_slug)
    lesson = module.lesson(lesson_slug)
    found = (
        next((p for p in lesson.text(module.default_language).scenarios if p.id == scenario_id), None)
        if lesson
        else None
    )
    if found is None:
        raise NotFound("scenario")
    return found


def choose(
    session: Session,
    catalog: Catalog,
    person: Person,
    module_slug: str,
    lesson_slug: str,
    scenario_id: str,
    scene_id: str,
    choice_id: str,
    form_token: str | None,
) -> Step:
    """Follow a choice: count it (once per form), count an ending reached, and mark the scenario finished."""
    scenario = find_scenario(catalog, person, module_slug, lesson_slug, scenario_id)
    scene = scenario.scene(scene_id)
    choice = scene.choice(choice_id) if scene else None
    if scene is None or choice is None:
        raise NotFound("choice")
    result = step(scenario, choice.target, scene.id, choice.id)
    if not claim(session, form_token):
        return result  # a repeat of the same click: already counted
    _count(session, module_slug, scenario.id, scene.id, choice.id)
    if result.scene.ending:
        _count(session, module_slug, scenario.id, result.scene.id, "")
        now = utcnow()
        first = insert_ignore(
            session,
            ScenarioCompletion,
            {"person_id": person.id, "module_slug": module_slug, "scenario_id": scenario.id, "completed_at": now},
            ["person_id", "module_slug", "scenario_id"],
        )
        if first:  # like the database, the store learns only that the scenario was finished, once
            xapi.scenario_ended(session, person, catalog.modules[module_slug], lesson_slug, scenario, now)
    return result


def _count(session: Session, module_slug: str, scenario_id: str, scene_id: str, choice_id: str) -> None:
    key = {"module_slug": module_slug, "scenario_id": scenario_id, "scene_id": scene_id, "choice_id": choice_id}
    insert_ignore(session, ScenarioChoiceCount, key | {"count": 0}, list(key))
    session.execute(
        update(ScenarioChoiceCount)
        .where(*(getattr(ScenarioChoiceCount, column) == value for column, value in key.items()))
        .values(count=ScenarioChoiceCount.count + 1)
    )
