"""A duty's state on the report's day, as SQL over enrolment rows: the one definition every report counts with.

As of day D (its end, moment T, in UTC): a duty is in effect when it was enrolled before T and neither withdrawn nor
superseded by a next cycle before T, and it binds (is_primary). It is *completed* when it was completed before T,
or when it is a later cycle of a recurring assignment whose due date has not passed (the previous completion still
holds). *Started* when a lesson was done or it was completed before T. *On time* when completed on or before its due
date (a later cycle not yet due counts as on time). *Overdue* when not completed and the due date lies before D;
otherwise it is *not yet due*. Documented in docs/reporting.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, literal, or_, text
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import ColumnElement

from ...models import Enrolment
from ...models.assignment import IN_EFFECT_NOW
from ..sql_dates import utc_date


@dataclass(frozen=True)
class DutyState:
    """Boolean SQL expressions over one enrolment alias for a report's day."""

    in_effect: ColumnElement[bool]
    completed: ColumnElement[bool]
    started: ColumnElement[bool]
    on_time: ColumnElement[bool]
    overdue: ColumnElement[bool]
    not_yet_due: ColumnElement[bool]

    def status(self, names: Mapping[str, str]) -> ColumnElement[str]:
        """The name of completed, overdue, in_progress (started, not yet due) or not_started (not yet due)."""
        return case(
            (self.completed, literal(names["completed"])),
            (self.overdue, literal(names["overdue"])),
            (self.started, literal(names["in_progress"])),
            else_=literal(names["not_started"]),
        )


def duty_state(row: Any, day: date, moment: datetime, *, now: bool) -> DutyState:
    """The state of enrolment `row` (the model or an alias) as of `day`; `now`: the day is today (faster SQL)."""
    if now and row is Enrolment:
        # The exact text of the partial index's predicate, so that SQLite (which matches it literally) scans it.
        in_effect: ColumnElement[bool] = text(IN_EFFECT_NOW)  # type: ignore[assignment]  # a predicate, as SQL
    else:
        in_effect = and_(
            row.enrolled_at < moment,
            or_(row.withdrawn_at.is_(None), row.withdrawn_at >= moment),
            or_(row.superseded_at.is_(None), row.superseded_at >= moment),
            row.is_primary.is_(True),
        )
    if now:  # everything recorded so far happened before the end of today: no timestamp to compare per row
        completed_before: ColumnElement[bool] = row.completed_at.is_not(None)
        started_before: ColumnElement[bool] = row.started_at.is_not(None)
    else:
        completed_before = and_(row.completed_at.is_not(None), row.completed_at < moment)
        started_before = and_(row.started_at.is_not(None), row.started_at < moment)
    repeat_still_valid = and_(row.cycle > 0, row.due_on >= day, ~completed_before)
    completed = or_(completed_before, repeat_still_valid)
    started = or_(completed, started_before)
    on_time = or_(and_(completed_before, utc_date(row.completed_at) <= row.due_on), repeat_still_valid)
    return DutyState(
        in_effect=in_effect,
        completed=completed,
        started=started,
        on_time=on_time,
        overdue=and_(~completed, row.due_on < day),
        not_yet_due=and_(~completed, row.due_on >= day),
    )


def history_row() -> Any:
    """An alias of enrolment for queries that must not take the partial index's shortcut."""
    return aliased(Enrolment, name="duty")
