"""Effect measurement for the learner: which question set is open, and answering or skipping it, once, anonymously.

A module's sets (content/modules/<slug>/effect.<lang>.md) are offered at three moments: the pre set before the first
lesson is done, the post set once the module is completed, the follow-up set from `after_days` (60) days after the
latest completion for FOLLOW_UP_WINDOW_DAYS days. Every set is voluntary and offered once: answering or skipping
writes a marker for the person (`effect_participation`) and, when answered, adds one to the anonymous count of the
chosen value per statement for the person's unit and the current month (`effect_answer_count`), in the same
transaction. Why no row per answer and no time of day: see models/effect.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..content import EFFECT_SCALE, Catalog, EffectSet, Module
from ..i18n import _l
from ..models import EffectAnswerCount, EffectParticipation, LessonProgress, ModuleCompletion, Person
from .errors import InvalidInput, NotFound
from .learning import visible_module
from .upsert import insert_ignore

# The follow-up set stays on offer this long after it opens; later answers would measure something else.
FOLLOW_UP_WINDOW_DAYS = 60
COUNT_COLUMNS = {value: f"count_{value}" for value in EFFECT_SCALE}


class SetState(StrEnum):
    OPEN = "open"  # may be answered or skipped now
    DONE = "done"  # answered or skipped before
    NOT_YET = "not_yet"  # post: not completed yet; follow-up: not yet due
    CLOSED = "closed"  # pre: lessons done already; follow-up: the window has passed; no unit to count in


@dataclass(frozen=True)
class Offer:
    """A question set as one learner meets it."""

    module: Module
    name: str
    questions: EffectSet
    state: SetState


def month_of(day: date) -> date:
    """The period an answer is stored under: the first day of its month (never the day or time)."""
    return day.replace(day=1)


def done_sets(session: Session, person: Person, module_slugs: Iterable[str] | None = None) -> set[tuple[str, str]]:
    """(module, set) pairs this person answered or skipped."""
    query = select(EffectParticipation.module_slug, EffectParticipation.set_name).where(
        EffectParticipation.person_id == person.id
    )
    if module_slugs is not None:
        query = query.where(EffectParticipation.module_slug.in_(list(module_slugs)))
    return {(module, name) for module, name in session.execute(query)}


def _is_done(session: Session, person: Person, module_slug: str, name: str) -> bool:
    return (
        session.scalar(
            select(EffectParticipation.person_id).where(
                EffectParticipation.person_id == person.id,
                EffectParticipation.module_slug == module_slug,
                EffectParticipation.set_name == name,
            )
        )
        is not None
    )


def _latest_completion(session: Session, person: Person, module_slug: str) -> datetime | None:
    return session.scalar(
        select(func.max(ModuleCompletion.completed_at)).where(
            ModuleCompletion.person_id == person.id, ModuleCompletion.module_slug == module_slug
        )
    )


def follow_up_open(module: Module, completed_at: datetime | None, today: date) -> bool:
    """Whether today lies in the follow-up window after the latest completion."""
    if module.effect is None or "follow-up" not in module.effect.names or completed_at is None:
        return False
    days = (today - completed_at.date()).days
    return module.effect.follow_up_days <= days < module.effect.follow_up_days + FOLLOW_UP_WINDOW_DAYS


def _existing_set(module: Module, name: str, lang: str) -> EffectSet:
    """A set that `state_of` has found the module to have (it raises NotFound otherwise)."""
    questions = module.effect_set(name, lang)
    if questions is None:
        raise NotFound("effect set")
    return questions


def state_of(session: Session, module: Module, person: Person, name: str, today: date) -> SetState:
    """Where this person stands with one set of the module; NotFound when the module has no such set."""
    if module.effect is None or name not in module.effect.names:
        raise NotFound("effect set")
    if _is_done(session, person, module.slug, name):
        return SetState.DONE
    if person.organisation_id is None:  # the answers would count in no unit
        return SetState.CLOSED
    if name == "pre":
        started = session.scalar(
            select(LessonProgress.id)
            .where(LessonProgress.person_id == person.id, LessonProgress.module_slug == module.slug)
            .limit(1)
        )
        return SetState.OPEN if started is None else SetState.CLOSED
    completed_at = _latest_completion(session, person, module.slug)
    if completed_at is None:
        return SetState.NOT_YET
    if name == "post":
        return SetState.OPEN
    if follow_up_open(module, completed_at, today):
        return SetState.OPEN
    days = (today - completed_at.date()).days
    return SetState.NOT_YET if days < module.effect.follow_up_days else SetState.CLOSED


def offer(
    session: Session, catalog: Catalog, person: Person, module_slug: str, name: str, lang: str, today: date
) -> Offer:
    """The set in the learner's language with its state; NotFound for a module or set the learner cannot see."""
    module = visible_module(catalog, person, module_slug)
    state = state_of(session, module, person, name, today)
    return Offer(module, name, _existing_set(module, name, lang), state)


def pre_pending(module: Module, person: Person, lessons_done: frozenset[str], sets_done: frozenset[str]) -> bool:
    """Whether to show the pre set before a lesson (from what the lesson page read anyway: no query of its own)."""
    if module.effect is None or "pre" not in module.effect.names or person.organisation_id is None:
        return False
    return not lessons_done and "pre" not in sets_done


def post_pending(session: Session, module: Module, person: Person, completed: bool) -> bool:
    """Whether the post set waits for a learner who completed the module."""
    if not completed or module.effect is None or "post" not in module.effect.names or person.organisation_id is None:
        return False
    return not _is_done(session, person, module.slug, "post")


def follow_ups_due(
    session: Session, person: Person, completions: Mapping[str, tuple[Module, datetime | None]], today: date
) -> list[Module]:
    """Modules whose follow-up set is open for this learner today (one query, only when a window is open)."""
    if person.organisation_id is None:
        return []
    due = [module for module, completed_at in completions.values() if follow_up_open(module, completed_at, today)]
    if not due:
        return []
    done = done_sets(session, person, [module.slug for module in due])
    return [module for module in due if (module.slug, "follow-up") not in done]


def _values(questions: EffectSet, answers: Mapping[str, str]) -> dict[str, int]:
    """Every statement's value from the form, or InvalidInput: all statements, each from 1 to 5."""
    values: dict[str, int] = {}
    for item in questions.items:
        text = (answers.get(item.id) or "").strip()
        if not text.isdigit() or int(text) not in EFFECT_SCALE:
            raise InvalidInput(_l("Choose a value from 1 to 5 for every statement, or skip these questions."))
        values[item.id] = int(text)
    return values


def mark(session: Session, person: Person, module_slug: str, name: str) -> bool:
    """The person's marker for this set; False when it was there already (a second answer, a double click)."""
    return insert_ignore(
        session,
        EffectParticipation,
        {"person_id": person.id, "module_slug": module_slug, "set_name": name},
        ["person_id", "module_slug", "set_name"],
    )


def _count(session: Session, key: dict[str, object], value: int) -> None:
    """Add one to the count of `value` in the row `key`, making the row when it is the first answer of its month."""
    column = COUNT_COLUMNS[value]
    builder = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    zeros = {name: 0 for name in COUNT_COLUMNS.values()}
    statement = (
        builder(EffectAnswerCount)
        .values({**key, **zeros, column: 1})
        .on_conflict_do_update(index_elements=list(key), set_={column: EffectAnswerCount.__table__.c[column] + 1})
    )
    session.execute(statement)


def answer(
    session: Session,
    catalog: Catalog,
    person: Person,
    module_slug: str,
    name: str,
    answers: Mapping[str, str],
    today: date,
) -> None:
    """Count the answers anonymously and mark the set done, in the caller's one transaction; once per person."""
    module = visible_module(catalog, person, module_slug)
    state = state_of(session, module, person, name, today)
    if state is SetState.DONE:
        raise InvalidInput(_l("You have already answered or skipped these questions."))
    if state is not SetState.OPEN:
        raise InvalidInput(_l("These questions are not open to you now."))
    values = _values(_existing_set(module, name, module.default_language), answers)
    if not mark(session, person, module.slug, name):  # a parallel request got there first
        raise InvalidInput(_l("You have already answered or skipped these questions."))
    if person.organisation_id is None:  # state_of closes every set to a person without a unit
        raise InvalidInput(_l("These questions are not open to you now."))
    count_answers(session, person.organisation_id, module.slug, name, values, today)


def count_answers(
    session: Session, unit_id: int, module_slug: str, name: str, values: Mapping[str, int], day: date
) -> None:
    """Add one person's values to the anonymous counts of their unit and the month of `day`."""
    for item_id, value in values.items():
        key = {
            "organisation_id": unit_id,
            "module_slug": module_slug,
            "set_name": name,
            "item_id": item_id,
            "month": month_of(day),
        }
        _count(session, key, value)
    session.flush()


def skip(session: Session, catalog: Catalog, person: Person, module_slug: str, name: str, today: date) -> bool:
    """Mark the set done without answers (no penalty, nothing counted, never asked again); False when it was done.

    Allowed in any state: "do not ask me" holds for a set that is not open yet, too.
    """
    module = visible_module(catalog, person, module_slug)
    if state_of(session, module, person, name, today) is SetState.DONE:
        return False
    return mark(session, person, module.slug, name)
