"""Assessment quality for authors and HR: how first attempts answered each question, and which scenario paths are taken.

Only aggregates: per question and option the share of first attempts that chose it (people in scope only, groups of
fewer than k hidden), per scenario the anonymous counts per choice and per ending.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from ...content import Catalog, Module
from ...models import AssessmentAnswer, AssessmentAttempt, OrganisationUnit, Person, ScenarioChoiceCount
from ..authz import may_author
from ..errors import Forbidden, NotFound


@dataclass(frozen=True)
class OptionShare:
    option_id: str
    correct: bool
    chosen: int | None  # None: hidden (1 to k-1 people)

    def share(self, answered: int) -> int | None:
        return round(100 * self.chosen / answered) if self.chosen is not None and answered else None


@dataclass(frozen=True)
class QuestionQuality:
    question_id: str
    answered: int | None  # first attempts that got this question; None: fewer than k
    right: int | None
    options: list[OptionShare]


@dataclass(frozen=True)
class ChoiceCount:
    scene_id: str
    choice_id: str  # "" for an ending reached
    count: int | None


@dataclass(frozen=True)
class Quality:
    module: Module
    k: int
    questions: list[QuestionQuality]
    scenarios: dict[str, list[ChoiceCount]]


def _small(value: int, k: int) -> int | None:
    return None if 0 < value < k else value


def module_quality(session: Session, module: Module, k: int, unit: OrganisationUnit | None) -> Quality:
    """The module's quality figures; `unit`: only first attempts of people in its subtree (None: everyone)."""
    questions: list[QuestionQuality] = []
    if module.assessment is not None:
        query = (
            select(
                AssessmentAnswer.question_id,
                cast(AssessmentAnswer.option_ids, String),
                func.count(),
                func.count().filter(AssessmentAnswer.correct.is_(True)),
            )
            .join(AssessmentAttempt, AssessmentAttempt.id == AssessmentAnswer.attempt_id)
            .where(
                AssessmentAttempt.module_slug == module.slug,
                AssessmentAttempt.number == 1,
                AssessmentAttempt.submitted_at.is_not(None),
            )
            .group_by(AssessmentAnswer.question_id, cast(AssessmentAnswer.option_ids, String))
        )
        if unit is not None:
            in_scope = select(Person.id).join(OrganisationUnit, OrganisationUnit.id == Person.organisation_id)
            in_scope = in_scope.where(OrganisationUnit.path.startswith(unit.path, autoescape=True))
            query = query.where(AssessmentAttempt.person_id.in_(in_scope))
        answered: dict[str, int] = {}
        right: dict[str, int] = {}
        chosen: dict[tuple[str, str], int] = {}
        for question_id, option_text, count, correct in session.execute(query):
            answered[question_id] = answered.get(question_id, 0) + count
            right[question_id] = right.get(question_id, 0) + correct
            for option_id in _ids(option_text):
                chosen[(question_id, option_id)] = chosen.get((question_id, option_id), 0) + count
        for question in module.assessment.text(module.default_language).questions:
            total = answered.get(question.id, 0)
            visible = total >= k or total == 0
            questions.append(
                QuestionQuality(
                    question_id=question.id,
                    answered=total if visible else None,
                    right=_small(right.get(question.id, 0), k) if visible else None,
                    options=[
                        OptionShare(
                            option.id,
                            option.correct,
                            _small(chosen.get((question.id, option.id), 0), k) if visible else None,
                        )
                        for option in question.options
                    ],
                )
            )
    scenarios: dict[str, list[ChoiceCount]] = {}
    rows = session.execute(
        select(
            ScenarioChoiceCount.scenario_id,
            ScenarioChoiceCount.scene_id,
            ScenarioChoiceCount.choice_id,
            ScenarioChoiceCount.count,
        )
        .where(ScenarioChoiceCount.module_slug == module.slug)
        .order_by(ScenarioChoiceCount.scenario_id, ScenarioChoiceCount.scene_id, ScenarioChoiceCount.choice_id)
    )
    for scenario_id, scene_id, choice_id, count in rows:
        scenarios.setdefault(scenario_id, []).append(ChoiceCount(scene_id, choice_id, _small(count, k)))
    return Quality(module=module, k=k, questions=questions, scenarios=scenarios)


def _ids(option_text: Any) -> list[str]:
    try:
        value = json.loads(option_text)
    except (TypeError, ValueError):
        return []
    return [str(item) for item in value] if isinstance(value, list) else []


def author_quality(session: Session, catalog: Catalog, viewer: Person, module_slug: str, k: int) -> Quality:
    """Authors (and admins) see a module's figures over everyone; Forbidden for others, NotFound for no module."""
    if not may_author(viewer):
        raise Forbidden("authors only")
    module = catalog.module(module_slug)
    if module is None:
        raise NotFound("module")
    return module_quality(session, module, k, None)
