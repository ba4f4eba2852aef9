"""Recording what a learner did, and when a module counts as completed."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import Catalog, Module
from ..models import AssessmentAttempt, LessonProgress, ModuleCompletion, Person, utcnow
from .errors import NotFound
from .learning import visible_module
from .upsert import insert_ignore


def lessons_done(session: Session, person: Person, module_slug: str) -> set[str]:
    """Slugs of the lessons of this module the person has marked as done (on any content version)."""
    rows = session.scalars(
        select(LessonProgress.lesson_slug).where(
            LessonProgress.person_id == person.id, LessonProgress.module_slug == module_slug
        )
    )
    return set(rows)


def mark_lesson_done(
    session: Session, catalog: Catalog, person: Person, module_slug: str, lesson_slug: str,
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


def complete_if_done(session: Session, person: Person, module: Module, now: datetime) -> bool:
    """Completed when every current lesson is done and, if the module has an assessment, it was passed."""
    if not {lesson.slug for lesson in module.lessons} <= lessons_done(session, person, module.slug):
        return False
    if module.assessment is not None and not _passed(session, person, module.slug):
        return False
    return insert_ignore(
        session,
        ModuleCompletion,
        {"person_id": person.id, "module_slug": module.slug, "content_version": module.version, "completed_at": now,
         "verification_code": new_verification_code()},
        ["person_id", "module_slug", "content_version"],
    )


def completion(session: Session, person: Person, module_slug: str) -> ModuleCompletion | None:
    """The person's most recent completion of this module, on whichever version."""
    return session.scalar(
        select(ModuleCompletion)
        .where(ModuleCompletion.person_id == person.id, ModuleCompletion.module_slug == module_slug)
        .order_by(ModuleCompletion.completed_at.desc())
        .limit(1)
    )


def _passed(session: Session, person: Person, module_slug: str) -> bool:
    return session.scalar(
        select(AssessmentAttempt.id).where(
            AssessmentAttempt.person_id == person.id,
            AssessmentAttempt.module_slug == module_slug,
            AssessmentAttempt.passed.is_(True),
        ).limit(1)
    ) is not None


def new_verification_code() -> str:
    """A random code for a certificate, easy to read out: 12 characters from an unambiguous alphabet."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))
