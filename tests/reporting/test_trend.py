"""Completions per week: the right ISO week, within the scope and the audience, small weeks hidden."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from elearning.services.reporting import Hidden, ReportFilters, report_scope, weekly_completions

from .conftest import Ministry

TODAY = date(2026, 3, 15)  # a Sunday: the last week shown is 9-15 March


def _weeks(
    db: Session, ministry: Ministry, filters: ReportFilters, k: int = 5
) -> dict[date, tuple[int | None, str | None]]:
    trend = weekly_completions(db, report_scope(db, ministry.hr_min, filters), filters, TODAY, k, weeks=8)
    assert [w.start.weekday() for w in trend.weeks] == [0] * 8  # weeks start on Monday
    return {w.start: (w.completions, w.hidden.value if w.hidden else None) for w in trend.weeks}


def test_completions_fall_in_their_week(db: Session, ministry: Ministry) -> None:
    weeks = _weeks(db, ministry, ReportFilters(unit_id=ministry.root.id))
    # 19 on time on Tuesday 10 February (week of 9 Feb), 2 late on Tuesday 10 March (week of 9 March).
    assert weeks[date(2026, 2, 9)] == (19, None)
    # 2 is a small week; it is the only one, so the smallest other week (the first 0) is hidden with it.
    assert weeks[date(2026, 3, 9)] == (None, Hidden.SMALL.value)
    assert weeks[date(2026, 1, 19)] == (None, Hidden.COMPLEMENT.value)
    assert [value for value, why in weeks.values() if why is None] == [0, 0, 19, 0, 0, 0]


def test_the_scope_and_the_audience_narrow_it(db: Session, ministry: Ministry) -> None:
    a1 = _weeks(db, ministry, ReportFilters(unit_id=ministry.a1.id))
    assert a1[date(2026, 2, 9)] == (6, None)  # A1's six on time
    managers = _weeks(db, ministry, ReportFilters(unit_id=ministry.root.id, audience="managers"), k=10)
    assert managers[date(2026, 2, 9)] == (None, Hidden.SMALL.value)  # 5 managers


def test_as_of_a_day_counts_nothing_after_it(db: Session, ministry: Ministry) -> None:
    trend = weekly_completions(
        db, report_scope(db, ministry.hr_min, ReportFilters()), ReportFilters(as_of=date(2026, 2, 9)), TODAY, 5, weeks=4
    )
    assert trend.weeks[-1].start == date(2026, 2, 9) and [w.completions for w in trend.weeks] == [0, 0, 0, 0]
