"""The period of the departmental report: from and to dates chosen by HR (default the last calendar year), in
calendar quarters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ...i18n import _l
from ..errors import InvalidInput

MAX_YEARS = 3


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter, clipped to the period."""

    year: int
    number: int
    first: date
    last: date

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"

    @property
    def start(self) -> datetime:
        return _moment(self.first)


@dataclass(frozen=True)
class Period:
    """From the start of `first` to the end of `last` (UTC), both days included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return _moment(self.first)

    @property
    def end(self) -> datetime:
        return _moment(self.last + timedelta(days=1))

    def quarters(self) -> list[Quarter]:
        quarters: list[Quarter] = []
        year, number = self.first.year, (self.first.month - 1) // 3 + 1
        while True:
            begins = date(year, 3 * number - 2, 1)
            if begins > self.last:
                return quarters
            ends = (date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)) - timedelta(days=1)
            quarters.append(Quarter(year, number, max(begins, self.first), min(ends, self.last)))
            year, number = (year + 1, 1) if number == 4 else (year, number + 1)

    def query(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def last_calendar_year(today: date) -> Period:
    return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))


def _day(args: Mapping[str, str], name: str, label: object) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            _l("%(field)s: “%(value)s” is not a date; write YYYY-MM-DD.", field=label, value=value[:40])
        ) from None


def parse_period(args: Mapping[str, str], today: date) -> Period:
    """The period from `from` and `to` (YYYY-MM-DD); either left out: the last calendar year's day. InvalidInput
    names the first value that is not valid."""
    default = last_calendar_year(today)
    first = _day(args, "from", _l("From")) or default.first
    last = _day(args, "to", _l("To")) or default.last
    if first > last:
        raise InvalidInput(_l("From %(start)s is after to %(end)s.", start=first, end=last))
    if last > today:
        raise InvalidInput(_l("To: %(date)s lies in the future; choose today or an earlier date.", date=last))
    if last >= date(first.year + MAX_YEARS, first.month, min(first.day, 28)):
        raise InvalidInput(_l("Choose a period of at most %(years)s years.", years=MAX_YEARS))
    return Period(first, last)
