"""People reached: who completed a module (or the bystander module) in a period, in total and per quarter.

A person is *reached* in a period when they completed a module at a moment in it: a completion of a duty (the
enrolment's completion time, counted in the duty's unit) or any completion of the module, assigned or not (counted
in the person's current unit). Each person counts once however many modules or cycles they completed; in each
quarter they completed something, so the quarters can add up to more than the period. Documented in
docs/reporting.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, distinct, func, literal, select, union_all
from sqlalchemy.orm import Session

from ...models import Assignment, Enrolment, ModuleCompletion, Person
from .period import Period
from .scope import ReportScope


@dataclass(frozen=True)
class Reached:
    """Distinct people: by any module, and by the bystander module; over the period and per quarter (raw counts)."""

    people: int
    bystander: int
    per_quarter: list[tuple[int, int]]


def reached(session: Session, scope: ReportScope, period: Period, bystander: str | None) -> Reached:
    """The people in the scope's unit and below reached in the period; two GROUP BY queries over completions."""
    in_scope = scope.unit_ids()
    duties = (
        select(Enrolment.person_id.label("person_id"), Assignment.module_slug.label("module"), Enrolment.completed_at)
        .join(Assignment, Assignment.id == Enrolment.assignment_id)
        .where(
            Enrolment.completed_at >= period.start,
            Enrolment.completed_at < period.end,
            Enrolment.organisation_id.in_(in_scope),
        )
    )
    own = (
        select(ModuleCompletion.person_id, ModuleCompletion.module_slug, ModuleCompletion.completed_at)
        .join(Person, Person.id == ModuleCompletion.person_id)
        .where(
            ModuleCompletion.completed_at >= period.start,
            ModuleCompletion.completed_at < period.end,
            Person.organisation_id.in_(in_scope),
        )
    )
    events = union_all(duties, own).subquery("completions")
    person, module, at = events.c.person_id, events.c.module, events.c.completed_at
    by_bystander = func.count(distinct(case((module == bystander, person)))) if bystander is not None else literal(0)
    quarters = period.quarters()
    index = case(*[(at >= quarter.start, number) for number, quarter in reversed(list(enumerate(quarters)))], else_=0)
    total_people, total_bystander = session.execute(select(func.count(distinct(person)), by_bystander)).one()
    counts = {
        int(number): (int(people), int(reached_bystander))
        for number, people, reached_bystander in session.execute(
            select(index, func.count(distinct(person)), by_bystander).group_by(index)
        )
    }
    return Reached(
        people=int(total_people),
        bystander=int(total_bystander),
        per_quarter=[counts.get(number, (0, 0)) for number in range(len(quarters))],
    )
