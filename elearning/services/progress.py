"""Recording what a learner did, and when a module counts as completed."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, Select, bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from ..content import Catalog, Module
from ..models import AssessmentAttempt, LessonProgress, ModuleCompletion, Person, utcnow
from . import enrolments
from .errors import NotFound
from .learning import visible_module
from .lti import scores as lti_scores
from .upsert import insert_ignore
from .xapi import record as xapi


def lessons_done(session: Session, person: Person, module_slug: str) -> set[str]:
    """Slugs of the lessons of this module the person has marked as done (on any content version)."""
    rows = session.scalars(
        select(LessonProgress.lesson_slug).where(
            LessonProgress.person_id == person.id, LessonProgress.module_slug == module_slug
        )
    )
    return set(rows)


def mark_lesson_done(
    session: Session,
    catalog: Catalog,
    person: Person,
    module_slug: str,
    lesson_slug: str,
    now: datetime | None = None,
) -> bool:
    """Record that the person finished a lesson; idempotent. True when this completed the module."""
    module = visible_module(catalog, person, module_slug)
    if module.lesson(lesson_slug) is None:
        raise NotFound("lesson")
    now = now or utcnow()
    insert_ignore(
        session,
        LessonProgress,
        {
            "person_id": person.id,
            "module_slug": module.slug,
            "lesson_slug": lesson_slug,
            "content_version": module.version,
            "completed_at": now,
        },
        ["person_id", "module_slug", "lesson_slug"],
    )
    return complete_if_done(session, person, module, now)


def _flag(name: str, condition: Any) -> Select[str, str]:
    return select(literal(name), literal("")).where(condition)


# Built once: the lessons done and the three facts completion depends on, in one read (see complete_if_done).
_completion_state: CompoundSelect[str, str] = union_all(
    select(literal("done"), LessonProgress.lesson_slug).where(
        LessonProgress.person_id == bindparam("person_id"), LessonProgress.module_slug == bindparam("module_slug")
    ),
    _flag(
        "passed",
        select(AssessmentAttempt.id)
        .where(
            AssessmentAttempt.person_id == bindparam("person_id"),
            AssessmentAttempt.module_slug == bindparam("module_slug"),
            AssessmentAttempt.passed.is_(True),
        )
        .exists(),
    ),
    _flag(
        "completed",
        select(ModuleCompletion.id)
        .where(
            ModuleCompletion.person_id == bindparam("person_id"),
            ModuleCompletion.module_slug == bindparam("module_slug"),
            ModuleCompletion.content_version == bindparam("version"),
        )
        .exists(),
    ),
    _flag("repeat_waiting", enrolments.repeat_waiting()),
    _flag("unstarted", enrolments.unstarted()),
)


def complete_if_done(session: Session, person: Person, module: Module, now: datetime) -> bool:
    """Completed when every current lesson is done and, if the module has an assessment, it was passed.

    A new completion fulfils the person's enrolments in the module (and opens the next cycle where they recur). A
    module done before on this content version counts again only for a recurring assignment's next cycle. Open
    duties not yet started are marked started. One read decides, so that marking a lesson done again (a double
    click, a revisit) costs no further statement.
    """
    done: set[str] = set()
    facts: set[str] = set()
    parameters = {"person_id": person.id, "module_slug": module.slug, "version": module.version}
    for kind, slug in session.connection().execute(_completion_state, parameters):
        if kind == "done":
            done.add(slug)
        else:
            facts.add(kind)
    if "unstarted" in facts:
        enrolments.mark_started(session, person, module.slug, now)
    if not {lesson.slug for lesson in module.lessons} <= done:
        return False
    if module.assessment is not None and "passed" not in facts:
        return False
    if "completed" not in facts:
        created = insert_ignore(
            session,
            ModuleCompletion,
            {
                "person_id": person.id,
                "module_slug": module.slug,
                "content_version": module.version,
                "completed_at": now,
                "verification_code": new_verification_code(),
            },
            ["person_id", "module_slug", "content_version"],
        )
    else:
        created = "repeat_waiting" in facts and enrolments.renew_completion(session, person, module, now)
    if created:
        enrolments.completed_module(session, person, module, now)
        lti_scores.queue_result(session, person.id, module.slug, now)  # to the LMS gradebooks that launched it
        xapi.completed(session, person, module, now)
    return created


def completion(session: Session, person: Person, module_slug: str) -> ModuleCompletion | None:
    """The person's most recent completion of this module, on whichever version."""
    return session.scalar(
        select(ModuleCompletion)
        .where(ModuleCompletion.person_id == person.id, ModuleCompletion.module_slug == module_slug)
        .order_by(ModuleCompletion.completed_at.desc())
        .limit(1)
    )


def new_verification_code() -> str:
    """A random code for a certificate, easy to read out: 12 characters from an unambiguous alphabet."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))
