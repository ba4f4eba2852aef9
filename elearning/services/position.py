"""Remembering the lesson a learner last opened, so that any device resumes there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, literal, select, text, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..content import Module
from ..models import EffectParticipation, LearnerPosition, LessonProgress, Person, utcnow
from .xapi import record as xapi


@dataclass(frozen=True)
class LessonVisit:
    """What a lesson page needs after the visit was recorded: the lessons done, and whether anything was written."""

    done: frozenset[str]
    moved: bool
    effect_done: frozenset[str] = frozenset()  # the effect question sets of the module answered or skipped


# Built once (per-request construction costs more than running it): the lessons done, the position and the effect
# question sets done together, so that deciding whether to ask the questions before the first lesson costs no query.
_DONE_AND_POSITION = union_all(
    select(literal("done"), LessonProgress.lesson_slug).where(
        LessonProgress.person_id == bindparam("person_id"), LessonProgress.module_slug == bindparam("module_slug")
    ),
    select(literal("at"), LearnerPosition.lesson_slug).where(
        LearnerPosition.person_id == bindparam("person_id"), LearnerPosition.module_slug == bindparam("module_slug")
    ),
    select(literal("asked"), EffectParticipation.set_name).where(
        EffectParticipation.person_id == bindparam("person_id"),
        EffectParticipation.module_slug == bindparam("module_slug"),
    ),
)


def open_lesson(session: Session, person: Person, module: Module, lesson_slug: str) -> LessonVisit:
    """Remember the lesson as where to resume; one read for the lessons done and the old position together.

    An unchanged position writes nothing (a reload needs no commit); `moved` tells the caller to commit. The write
    is meant to be the only one of its transaction (see `_store`). The first lesson a person opens in a module (no
    position yet) is the module's launch, for xAPI.
    """
    done: set[str] = set()
    asked: set[str] = set()
    current = None
    parameters = {"person_id": person.id, "module_slug": module.slug}
    for kind, slug in session.connection().execute(_DONE_AND_POSITION, parameters):
        if kind == "done":
            done.add(slug)
        elif kind == "asked":
            asked.add(slug)
        else:
            current = slug
    moved = current != lesson_slug and _store(session, person, module.slug, lesson_slug)
    if current is None:
        xapi.launched(session, person, module, utcnow())
    return LessonVisit(frozenset(done), moved, frozenset(asked))


def _upsert_position(insert: Any) -> Any:
    statement = insert(LearnerPosition).values(
        person_id=bindparam("person_id"),
        module_slug=bindparam("module_slug"),
        lesson_slug=bindparam("lesson_slug"),
        updated_at=bindparam("updated_at"),
    )
    return statement.on_conflict_do_update(
        index_elements=["person_id", "module_slug"],
        set_={"lesson_slug": statement.excluded.lesson_slug, "updated_at": statement.excluded.updated_at},
        where=LearnerPosition.lesson_slug != statement.excluded.lesson_slug,
    )


_UPSERT = {"postgresql": _upsert_position(postgresql.insert), "sqlite": _upsert_position(sqlite.insert)}


def _store(session: Session, person: Person, module_slug: str, lesson_slug: str) -> bool:
    """Upsert the position. On PostgreSQL its commit does not wait for the disk: a position is a convenience, and
    losing the last moment's positions in a database crash costs a learner one click, never a result (and the
    module's xAPI "launched" statement, queued in the same transaction, at worst)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    values = {"person_id": person.id, "module_slug": module_slug, "lesson_slug": lesson_slug, "updated_at": utcnow()}
    session.connection().execute(_UPSERT[dialect], values)  # Core: the ORM bulk layer costs more than the write
    return True


def positions(session: Session, person: Person) -> dict[str, str]:
    """Module slug → last lesson slug opened."""
    return dict(
        session.execute(
            select(LearnerPosition.module_slug, LearnerPosition.lesson_slug).where(
                LearnerPosition.person_id == person.id
            )
        ).all()
    )
