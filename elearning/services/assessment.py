"""Graded assessments: drawing an attempt, scoring it once, and keeping attempt count and best score."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..content import Catalog, Module, Option, Question
from ..i18n import _l
from ..models import AssessmentAnswer, AssessmentAttempt, Person, utcnow
from .errors import InvalidInput, NotFound
from .learning import visible_module
from .lti import scores as lti_scores
from .progress import complete_if_done
from .xapi import record as xapi


@dataclass(frozen=True)
class ShownQuestion:
    """A question of an attempt with its options in the order this learner sees them."""

    question: Question
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Summary:
    """A learner's attempts at one assessment."""

    attempts: int
    best_score: int | None
    passed: bool
    open_attempt: AssessmentAttempt | None


def _module_with_assessment(catalog: Catalog, person: Person, module_slug: str) -> Module:
    module = visible_module(catalog, person, module_slug)
    if module.assessment is None:
        raise NotFound("assessment")
    return module


def summary(session: Session, catalog: Catalog, person: Person, module_slug: str) -> Summary:
    module = _module_with_assessment(catalog, person, module_slug)
    attempts = session.scalars(
        select(AssessmentAttempt)
        .where(AssessmentAttempt.person_id == person.id, AssessmentAttempt.module_slug == module.slug)
        .order_by(AssessmentAttempt.number)
    ).all()
    submitted = [a for a in attempts if a.submitted_at is not None]
    return Summary(
        attempts=len(submitted),
        best_score=max((a.score or 0 for a in submitted), default=None),
        passed=any(a.passed for a in submitted),
        open_attempt=next((a for a in attempts if a.submitted_at is None), None),
    )


def _layout(module: Module, rng: random.Random) -> dict[str, list[str]]:
    if module.assessment is None:
        raise RuntimeError("the module has no assessment")
    text = module.assessment.text(module.default_language)
    layout = {}
    for question_id in module.assessment.draw(rng):
        question = text.question(question_id)
        if question is None:
            raise RuntimeError("a drawn question is not in the module")
        options = [o.id for o in question.options]
        if module.assessment.shuffle_options:
            rng.shuffle(options)
        layout[question_id] = options
    return layout


def start(
    session: Session, catalog: Catalog, person: Person, module_slug: str, rng: random.Random | None = None
) -> AssessmentAttempt:
    """The learner's open attempt, or a new one; a double click or a second tab gets the same attempt."""
    module = _module_with_assessment(catalog, person, module_slug)
    current = summary(session, catalog, person, module.slug).open_attempt
    if current is not None and current.content_version == module.version:
        return current
    if current is not None:  # drawn from content that has changed since: start afresh
        session.delete(current)
        session.flush()
    number = (
        session.scalar(
            select(func.max(AssessmentAttempt.number)).where(
                AssessmentAttempt.person_id == person.id, AssessmentAttempt.module_slug == module.slug
            )
        )
        or 0
    ) + 1
    attempt = AssessmentAttempt(
        person_id=person.id,
        module_slug=module.slug,
        number=number,
        content_version=module.version,
        layout=_layout(module, rng or random.SystemRandom()),
    )
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:  # the same attempt number was just taken by a concurrent request
        existing = summary(session, catalog, person, module.slug).open_attempt
        if existing is None:
            raise
        return existing
    return attempt


def attempt_of(
    session: Session, catalog: Catalog, person: Person, module_slug: str, attempt_id: int
) -> tuple[Module, AssessmentAttempt]:
    """The person's own attempt; someone else's attempt id is simply not found."""
    module = _module_with_assessment(catalog, person, module_slug)
    attempt = session.get(AssessmentAttempt, attempt_id)
    if attempt is None or attempt.person_id != person.id or attempt.module_slug != module.slug:
        raise NotFound("attempt")
    return module, attempt


def shown_questions(module: Module, attempt: AssessmentAttempt, lang: str) -> list[ShownQuestion]:
    """The attempt's questions in the learner's language, in the drawn order, options as shuffled."""
    if module.assessment is None:
        raise RuntimeError("the module has no assessment")
    text = module.assessment.text(lang)
    shown = []
    for question_id, option_ids in attempt.layout.items():
        question = text.question(question_id)
        if question is None:
            raise NotFound("question")
        options = tuple(o for o in (question.option(i) for i in option_ids) if o is not None)
        shown.append(ShownQuestion(question, options))
    return shown


def submit(
    session: Session,
    catalog: Catalog,
    person: Person,
    module_slug: str,
    attempt_id: int,
    answers: dict[str, list[str]],
    now: datetime | None = None,
) -> AssessmentAttempt:
    """Score an open attempt once. A repeat of the same answers returns the result; other changes are refused."""
    module, attempt = attempt_of(session, catalog, person, module_slug, attempt_id)
    chosen = {q: sorted(set(ids)) for q, ids in answers.items() if ids}
    if attempt.submitted_at is not None:
        if {a.question_id: sorted(a.option_ids) for a in attempt.answers} == chosen:
            return attempt  # the same submission again: a double click or a retried request
        raise InvalidInput(_l("This attempt was already submitted; start a new attempt to try again."))
    questions = shown_questions(module, attempt, module.default_language)
    unknown = set(chosen) - {s.question.id for s in questions}
    if unknown:
        raise InvalidInput(_l("The answer refers to a question that is not part of this attempt."))
    missing = [s for s in questions if s.question.id not in chosen]
    if missing:
        raise InvalidInput(_l("Answer every question before you submit (%(count)s left open).", count=len(missing)))
    results = []
    for shown in questions:
        ids = chosen[shown.question.id]
        if any(shown.question.option(i) is None for i in ids):
            raise InvalidInput(_l("An answer was given that is not one of the options."))
        if not shown.question.multiple and len(ids) > 1:
            raise InvalidInput(_l("Choose one answer for each single-choice question."))
        results.append((shown.question.id, ids, frozenset(ids) == shown.question.correct_ids))
    right_count = sum(1 for *_, correct in results if correct)
    score = round(100 * right_count / len(results))
    passed = score >= (module.pass_mark or 100)
    now = now or utcnow()
    closed = session.execute(
        update(AssessmentAttempt)
        .where(AssessmentAttempt.id == attempt.id, AssessmentAttempt.submitted_at.is_(None))
        .values(submitted_at=now, score=score, passed=passed)
        .execution_options(synchronize_session=False)
    )
    if not closed.rowcount:  # type: ignore[attr-defined]  # a concurrent request submitted it first
        session.refresh(attempt)
        return attempt
    for question_id, ids, right in results:
        session.add(AssessmentAnswer(attempt_id=attempt.id, question_id=question_id, option_ids=ids, correct=right))
    session.flush()
    session.refresh(attempt)
    xapi.assessed(
        session,
        person,
        module,
        version=attempt.content_version,
        attempt=attempt.number,
        score=score,
        right=right_count,
        questions=len(results),
        passed=passed,
        at=now,
    )
    if passed:
        complete_if_done(session, person, module, now)
    lti_scores.queue_result(session, person.id, module.slug, now)  # the score to the LMS gradebooks, if any
    return attempt
