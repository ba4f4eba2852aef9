"""Remembering the lesson a learner last opened, so that any device resumes there."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import LearnerPosition, Person, utcnow


def remember(session: Session, person: Person, module_slug: str, lesson_slug: str) -> bool:
    """Store the position; True when it changed (an unchanged position writes nothing, so needs no commit)."""
    current = session.scalar(select(LearnerPosition.lesson_slug).where(
        LearnerPosition.person_id == person.id, LearnerPosition.module_slug == module_slug))
    if current == lesson_slug:
        return False
    builder = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = builder(LearnerPosition).values(
        person_id=person.id, module_slug=module_slug, lesson_slug=lesson_slug, updated_at=utcnow()
    )
    session.execute(statement.on_conflict_do_update(
        index_elements=["person_id", "module_slug"],
        set_={"lesson_slug": statement.excluded.lesson_slug, "updated_at": statement.excluded.updated_at},
        where=LearnerPosition.lesson_slug != statement.excluded.lesson_slug,
    ))
    return True


def positions(session: Session, person: Person) -> dict[str, str]:
    """Module slug → last lesson slug opened."""
    return dict(session.execute(
        select(LearnerPosition.module_slug, LearnerPosition.lesson_slug).where(LearnerPosition.person_id == person.id)
    ).all())
