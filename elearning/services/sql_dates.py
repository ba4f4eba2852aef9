"""Date arithmetic in SQL that reads the same on SQLite and PostgreSQL, so due dates are computed in the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class add_days(FunctionElement[Any]):
    """`add_days(day, n)`: the date n days after `day` (a date or a timestamp; n may be negative)."""

    type = Date()
    name = "add_days"
    inherit_cache = True


class add_months(FunctionElement[Any]):
    """`add_months(day, n)`: the same day n months later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""

    type = Date()
    name = "add_months"
    inherit_cache = True


class utc_date(FunctionElement[Any]):
    """`utc_date(moment)`: the calendar date of a UTC timestamp."""

    type = Date()
    name = "utc_date"
    inherit_cache = True


def _args(compiler: SQLCompiler, element: FunctionElement[Any], **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


@compiles(add_days, "sqlite")
def _add_days_sqlite(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = _args(compiler, element, **kw)
    return f"date({day}, CAST({days} AS TEXT) || ' days')"


@compiles(add_days, "postgresql")
def _add_days_postgresql(element: add_days, compiler: SQLCompiler, **kw: Any) -> str:
    day, days = _args(compiler, element, **kw)
    return f"(CAST({day} AS DATE) + CAST({days} AS INTEGER))"


@compiles(add_months, "sqlite")
def _add_months_sqlite(element: add_months, compiler: SQLCompiler, **kw: Any) -> str:
    day, months = _args(compiler, element, **kw)
    shifted = f"date({day}, CAST({months} AS TEXT) || ' months')"
    # SQLite rolls 31 Jan + 1 month over into March; when the day of the month changed, take the month's last day.
    return (
        f"(CASE WHEN strftime('%d', {shifted}) <> strftime('%d', {day}) "
        f"THEN date({shifted}, 'start of month', '-1 day') ELSE {shifted} END)"
    )


@compiles(add_months, "postgresql")
def _add_months_postgresql(element: add_months, compiler: SQLCompiler, **kw: Any) -> str:
    day, months = _args(compiler, element, **kw)
    return f"CAST(CAST({day} AS DATE) + make_interval(months => CAST({months} AS INTEGER)) AS DATE)"


@compiles(utc_date, "sqlite")
def _utc_date_sqlite(element: utc_date, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = _args(compiler, element, **kw)
    # SQLite holds the UTC wall time as text, "YYYY-MM-DD HH:MM:SS.ffffff": its first ten characters are the date
    # (cheaper per row than date(), which parses the whole value; reports evaluate it for every duty).
    return f"substr({moment}, 1, 10)"


@compiles(utc_date, "postgresql")
def _utc_date_postgresql(element: utc_date, compiler: SQLCompiler, **kw: Any) -> str:
    (moment,) = _args(compiler, element, **kw)
    return f"CAST(timezone('UTC', {moment}) AS DATE)"


def later_date(
    first: ColumnElement[Any] | InstrumentedAttribute[Any], second: ColumnElement[Any]
) -> ColumnElement[Any]:
    """The later of two dates; a NULL first date yields the second."""
    return case((first > second, first), else_=second)


class days_between(FunctionElement[Any]):
    """`days_between(later, earlier)`: whole days from date `earlier` to date `later` (days overdue, trend weeks)."""

    type = Integer()
    name = "days_between"
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _args(compiler, element, **kw)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = _args(compiler, element, **kw)
    return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"
