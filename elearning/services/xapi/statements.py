"""xAPI 1.0.3 statements built from what the learner did: pure functions of content values and a few facts.

Activity ids are the platform's own addresses (the module page, its assessment, a scenario), so that they stay the
same for as long as the module's slug does. Scenario statements say only that an ending was reached: never which
choices were made, nor which ending (with a handful of endings per scenario, the ending would tell the path).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ...content import Module, Scenario
from .settings import PLATFORM, XapiSettings

VERSION = "1.0.3"
VERBS = {
    "launched": ("http://adlnet.gov/expapi/verbs/launched", "launched", "gestart"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed", "afgerond"),
    "passed": ("http://adlnet.gov/expapi/verbs/passed", "passed", "geslaagd"),
    "failed": ("http://adlnet.gov/expapi/verbs/failed", "failed", "niet geslaagd"),
}
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
SCENARIO_TYPE = "http://adlnet.gov/expapi/activities/simulation"


def extension(settings: XapiSettings, name: str) -> str:
    """The IRI of one of the platform's own context extensions (content-version, pass-mark, attempt)."""
    return f"{settings.base_url}/xapi/extensions/{name}"


def actor(settings: XapiSettings, person_id: int, email: str) -> dict[str, Any]:
    """The learner: by default an account with a pseudonym; the e-mail address only when configured (mbox)."""
    if settings.actor == "mbox":
        return {"objectType": "Agent", "mbox": f"mailto:{email}"}
    return {"objectType": "Agent", "account": {"homePage": settings.base_url, "name": settings.pseudonym(person_id)}}


def _verb(name: str) -> dict[str, Any]:
    iri, english, dutch = VERBS[name]
    return {"id": iri, "display": {"en-US": english, "nl-NL": dutch}}


def module_activity(settings: XapiSettings, module: Module) -> dict[str, Any]:
    names = {lang: module.text(lang).title for lang in module.languages}
    return {
        "objectType": "Activity",
        "id": f"{settings.base_url}/learn/{module.slug}/",
        "definition": {"type": MODULE_TYPE, "name": names},
    }


def _assessment_activity(settings: XapiSettings, module: Module) -> dict[str, Any]:
    names = {lang: module.text(lang).title for lang in module.languages}
    return {
        "objectType": "Activity",
        "id": f"{settings.base_url}/learn/{module.slug}/assessment/",
        "definition": {"type": ASSESSMENT_TYPE, "name": names},
    }


def _scenario_activity(settings: XapiSettings, module: Module, lesson_slug: str, scenario: Scenario) -> dict[str, Any]:
    names: dict[str, str] = {}
    lesson = module.lesson(lesson_slug)
    for lang in module.languages:
        found = next((s for s in lesson.text(lang).scenarios if s.id == scenario.id), None) if lesson else None
        names[lang] = (found or scenario).title
    return {
        "objectType": "Activity",
        "id": f"{settings.base_url}/learn/{module.slug}/{lesson_slug}/scenario/{scenario.id}",
        "definition": {"type": SCENARIO_TYPE, "name": names},
    }


def _statement(
    settings: XapiSettings,
    who: dict[str, Any],
    verb: str,
    activity: dict[str, Any],
    at: datetime,
    context: dict[str, Any],
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": who,
        "verb": _verb(verb),
        "object": activity,
        "context": {"platform": PLATFORM, **context},
        "timestamp": at.isoformat(),
        "version": VERSION,
    }
    if result is not None:
        statement["result"] = result
    return statement


def launched(settings: XapiSettings, who: dict[str, Any], module: Module, at: datetime) -> dict[str, Any]:
    """The learner opened the module for the first time."""
    context = {"extensions": {extension(settings, "content-version"): module.version}}
    return _statement(settings, who, "launched", module_activity(settings, module), at, context)


def completed(
    settings: XapiSettings, who: dict[str, Any], module: Module, version: str, at: datetime
) -> dict[str, Any]:
    """The module counts as completed, on this content version."""
    context = {"extensions": {extension(settings, "content-version"): version}}
    return _statement(settings, who, "completed", module_activity(settings, module), at, context, {"completion": True})


def assessed(
    settings: XapiSettings,
    who: dict[str, Any],
    module: Module,
    *,
    version: str,
    attempt: int,
    score: int,
    right: int,
    questions: int,
    passed: bool,
    at: datetime,
) -> dict[str, Any]:
    """An assessment attempt was scored: passed or failed, with the scaled score, the raw score and the pass mark."""
    pass_mark = module.pass_mark or 100
    context = {
        "contextActivities": {"parent": [module_activity(settings, module)]},
        "extensions": {
            extension(settings, "content-version"): version,
            extension(settings, "pass-mark"): round(pass_mark / 100, 4),
            extension(settings, "attempt"): attempt,
        },
    }
    result = {
        "score": {"scaled": round(score / 100, 4), "raw": right, "min": 0, "max": questions},
        "success": passed,
        "completion": True,
    }
    verb = "passed" if passed else "failed"
    return _statement(settings, who, verb, _assessment_activity(settings, module), at, context, result)


def scenario_ended(
    settings: XapiSettings, who: dict[str, Any], module: Module, lesson_slug: str, scenario: Scenario, at: datetime
) -> dict[str, Any]:
    """An ending of the scenario was reached; which one, and the choices on the way, are not said."""
    context = {
        "contextActivities": {"parent": [module_activity(settings, module)]},
        "extensions": {extension(settings, "content-version"): module.version},
    }
    activity = _scenario_activity(settings, module, lesson_slug, scenario)
    return _statement(settings, who, "completed", activity, at, context, {"completion": True})
