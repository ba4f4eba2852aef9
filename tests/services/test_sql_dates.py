"""Date arithmetic in SQL gives the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Date, Integer, literal, select
from sqlalchemy.orm import Session

from elearning.models import Enrolment
from elearning.services.sql_dates import add_days, add_months, days_between, later_date, utc_date


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 1, 30), 3, date(2026, 2, 2)),
        (date(2026, 3, 1), -1, date(2026, 2, 28)),
        (date(2024, 2, 28), 1, date(2024, 2, 29)),
        (date(2026, 1, 1), 0, date(2026, 1, 1)),
    ],
)
def test_add_days(db: Session, start: date, days: int, expected: date) -> None:
    assert _day(db.scalar(select(add_days(literal(start, Date), literal(days, Integer))))) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 24, date(2028, 1, 15)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # clamped to the month's last day, not rolled into March
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
    ],
)
def test_add_months_clamps_like_postgresql(db: Session, start: date, months: int, expected: date) -> None:
    assert _day(db.scalar(select(add_months(literal(start, Date), literal(months, Integer))))) == expected


def test_utc_date_of_a_timestamp(db: Session) -> None:
    moment = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)
    assert _day(db.scalar(select(utc_date(literal(moment, Enrolment.enrolled_at.type))))) == date(2026, 5, 31)
    shifted = add_months(utc_date(literal(moment, Enrolment.enrolled_at.type)), literal(1, Integer))
    assert _day(db.scalar(select(shifted))) == date(2026, 6, 30)


def test_later_date(db: Session) -> None:
    early, late = literal(date(2026, 1, 1), Date), literal(date(2026, 2, 1), Date)
    assert _day(db.scalar(select(later_date(early, late)))) == date(2026, 2, 1)
    assert _day(db.scalar(select(later_date(late, early)))) == date(2026, 2, 1)
    assert _day(db.scalar(select(later_date(literal(None, Date), early)))) == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("later", "earlier", "expected"),
    [
        (date(2026, 3, 1), date(2026, 2, 28), 1),
        (date(2024, 3, 1), date(2024, 2, 28), 2),  # a leap day between
        (date(2027, 1, 1), date(2026, 1, 1), 365),
        (date(2026, 1, 1), date(2026, 1, 8), -7),
        (date(2026, 6, 1), date(2026, 6, 1), 0),
    ],
)
def test_days_between(db: Session, later: date, earlier: date, expected: int) -> None:
    assert db.scalar(select(days_between(literal(later, Date), literal(earlier, Date)))) == expected


def test_days_between_the_utc_date_of_a_timestamp_and_a_day(db: Session) -> None:
    late_evening = literal(datetime(2026, 5, 31, 23, 59, tzinfo=UTC), Enrolment.enrolled_at.type)
    assert db.scalar(select(days_between(utc_date(late_evening), literal(date(2026, 5, 25), Date)))) == 6
