"""A crowd of demo colleagues with half a year of progress, so that `make run` shows reports with real figures.

They have no password (nobody logs in as them); their lessons, completions, first attempts and scenario choices are
spread over the last 26 weeks with a seeded random generator, so the demo is the same on every laptop.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..content import Catalog, Module
from ..models import (
    AssessmentAnswer,
    AssessmentAttempt,
    LessonProgress,
    ModuleCompletion,
    OrganisationUnit,
    Person,
    ScenarioChoiceCount,
)
from .organisations import unit_by_code
from .progress import new_verification_code
from .upsert import insert_ignore

CROWD = 700
FIRST_NUMBER = 1000
# Where the crowd works: unit code and its share of the crowd.
PLACES = [
    ("MVZ-DGB-HR", 3),
    ("MVZ-DGB-ICT", 2),
    ("MVZ-DGB-ICT-SD", 6),
    ("MVZ-DGB-ICT-ARCH", 4),
    ("MVZ-DGP-LOK", 2),
    ("MVZ-DGP-LOK-ZUID", 7),
    ("MVZ-DGP-BELEID", 5),
    ("MVZ-DGP", 1),
]
FIRST = [
    "Sanne",
    "Youssef",
    "Emma",
    "Bram",
    "Fatima",
    "Lucas",
    "Noor",
    "Daan",
    "Aylin",
    "Sem",
    "Mila",
    "Kofi",
    "Julia",
    "Mehmet",
    "Lieke",
    "Ravi",
    "Sara",
    "Thijs",
    "Naima",
    "Jesse",
    "Chen",
    "Femke",
    "Omar",
    "Eline",
    "Stijn",
    "Priya",
]
LAST = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "Bakker",
    "El Idrissi",
    "Visser",
    "Smit",
    "Meijer",
    "Yıldız",
    "de Boer",
    "Mulder",
    "Boateng",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Dekker",
    "Sardjoe",
    "Kramer",
    "Wong",
]


def load_crowd(session: Session, catalog: Catalog, now: datetime) -> int:
    """Create the crowd and its history unless it exists; returns how many people were created."""
    first = f"DEMO{FIRST_NUMBER:04d}"
    if session.scalar(select(func.count()).select_from(Person).where(Person.employee_number == first)):
        return 0
    rng = random.Random(2026)  # noqa: S311 - demo figures, not security  # nosec B311
    units = [(unit, share) for code, share in PLACES if (unit := unit_by_code(session, code)) is not None]
    if not units:
        return 0
    people = [_person(rng, number, units, now.date()) for number in range(CROWD)]
    session.add_all(people)
    session.flush()
    for person in people:
        for module in catalog.modules.values():
            if module.audience == "managers" and not person.is_manager:
                continue
            _history(session, rng, person, module, now)
    _scenario_counts(session, rng, catalog)
    session.flush()
    return len(people)


def _person(rng: random.Random, number: int, units: list[tuple[OrganisationUnit, int]], today: date) -> Person:
    unit = rng.choices([u for u, _ in units], weights=[share for _, share in units])[0]
    return Person(
        employee_number=f"DEMO{FIRST_NUMBER + number:04d}",
        name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        email=f"collega{FIRST_NUMBER + number}@example.org",
        organisation=unit,
        is_manager=rng.random() < 0.12,
        preferred_language="en" if rng.random() < 0.1 else None,
        start_date=today - timedelta(days=rng.randint(20, 900)),
    )


def _history(session: Session, rng: random.Random, person: Person, module: Module, now: datetime) -> None:
    """Lessons done and, for most, a completion (after a first attempt at the assessment) in the last half year."""
    fate = rng.random()
    if fate > 0.85:
        return  # not started
    began = now - timedelta(days=rng.randint(2, 182), minutes=rng.randint(0, 600))
    finished = fate < 0.65 and (module.assessment is None or rng.random() < 0.9)
    done = module.lessons if finished else module.lessons[: rng.randint(1, max(1, len(module.lessons) - 1))]
    for index, lesson in enumerate(done):
        session.add(
            LessonProgress(
                person_id=person.id,
                module_slug=module.slug,
                lesson_slug=lesson.slug,
                content_version=module.version,
                completed_at=min(began + timedelta(hours=index * 3), now),
            )
        )
    end = min(began + timedelta(hours=len(done) * 3 + 1), now)
    passed = finished
    if module.assessment is not None and (finished or rng.random() < 0.3):
        passed = _first_attempt(session, rng, person, module, end) and finished
    if passed:
        session.add(
            ModuleCompletion(
                person_id=person.id,
                module_slug=module.slug,
                content_version=module.version,
                completed_at=end,
                verification_code=new_verification_code(),
            )
        )


def _first_attempt(session: Session, rng: random.Random, person: Person, module: Module, at: datetime) -> bool:
    """A handed-in first attempt: most answers right, the wrong ones spread over the other options."""
    if module.assessment is None:
        raise RuntimeError("the module has no assessment")
    text = module.assessment.text(module.default_language)
    drawn = module.assessment.draw(rng)
    answers = []
    right = 0
    for question_id in drawn:
        question = text.question(question_id)
        if question is None:
            continue
        if rng.random() < 0.82:
            chosen = sorted(question.correct_ids)
        else:
            wrong = [o.id for o in question.options if not o.correct] or [question.options[0].id]
            chosen = [rng.choice(wrong)]
        correct = frozenset(chosen) == question.correct_ids
        right += correct
        answers.append((question_id, chosen, correct))
    score = round(100 * right / max(1, len(answers)))
    passed = score >= (module.pass_mark or 100)
    attempt = AssessmentAttempt(
        person_id=person.id,
        module_slug=module.slug,
        number=1,
        content_version=module.version,
        layout={question_id: [] for question_id, _, _ in answers},
        started_at=at - timedelta(minutes=15),
        submitted_at=at,
        score=score,
        passed=passed,
    )
    attempt.answers = [AssessmentAnswer(question_id=q, option_ids=ids, correct=c) for q, ids, c in answers]
    session.add(attempt)
    return passed


def _scenario_counts(session: Session, rng: random.Random, catalog: Catalog) -> None:
    """Anonymous counts per choice and ending, as if the crowd had walked the scenarios."""
    for module in catalog.modules.values():
        for lesson in module.lessons:
            for scenario in lesson.text(module.default_language).scenarios:
                for scene in scenario.scenes:
                    for choice in scene.choices:
                        _add_count(session, module, scenario.id, scene.id, choice.id, rng.randint(3, 60))
                    if scene.ending:
                        _add_count(session, module, scenario.id, scene.id, "", rng.randint(5, 80))


def _add_count(session: Session, module: Module, scenario_id: str, scene_id: str, choice_id: str, count: int) -> None:
    """Add to the count (real walks may have made the row already)."""
    key = {"module_slug": module.slug, "scenario_id": scenario_id, "scene_id": scene_id, "choice_id": choice_id}
    insert_ignore(session, ScenarioChoiceCount, key | {"count": 0}, list(key))
    session.execute(
        update(ScenarioChoiceCount)
        .where(*(getattr(ScenarioChoiceCount, column) == value for column, value in key.items()))
        .values(count=ScenarioChoiceCount.count + count)
    )
