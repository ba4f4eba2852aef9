"""Roster columns: Dutch and English header names, and each cell parsed into a clean value or a clear problem."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from ...i18n import _l
from .read import Cell
from .report import Problem


class Field(StrEnum):
    """A roster column as the import knows it."""

    EMPLOYEE_NUMBER = "employee_number"
    NAME = "name"
    EMAIL = "email"
    ORGANISATION_CODE = "organisation_code"
    IS_MANAGER = "is_manager"
    LANGUAGE = "language"
    START_DATE = "start_date"
    END_DATE = "end_date"


REQUIRED = (Field.EMPLOYEE_NUMBER, Field.NAME, Field.EMAIL, Field.ORGANISATION_CODE)

# Header names as people write them, compared without case, spaces, dots, dashes and underscores.
_HEADER_NAMES: dict[Field, tuple[str, ...]] = {
    Field.EMPLOYEE_NUMBER: (
        "employee_number", "employee number", "employee no", "employee id", "personnel number",
        "personeelsnummer", "personeels nr", "personeelsnr", "medewerkernummer", "registratienummer",
    ),
    Field.NAME: ("name", "full name", "naam", "volledige naam", "weergavenaam", "display name"),
    Field.EMAIL: ("email", "e-mail", "email address", "e-mailadres", "emailadres", "mail", "werk e-mail"),
    Field.ORGANISATION_CODE: (
        "organisation_code", "organization_code", "organisation", "organization", "org code", "unit code",
        "organisatiecode", "organisatie", "organisatie eenheid", "organisatie-eenheid", "eenheid", "afdelingscode",
    ),
    Field.IS_MANAGER: ("is_manager", "manager", "leidinggevende", "is leidinggevende"),
    Field.LANGUAGE: ("language", "preferred_language", "preferred language", "taal", "voorkeurstaal"),
    Field.START_DATE: ("start_date", "start date", "startdatum", "datum in dienst", "in dienst", "begindatum"),
    Field.END_DATE: ("end_date", "end date", "einddatum", "datum uit dienst", "uit dienst"),
}  # fmt: skip


def header_key(text: object) -> str:
    """'E-mail adres ' → 'emailadres': how two spellings of a header are compared."""
    folded = unicodedata.normalize("NFKD", str(text or "")).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


ALIASES: dict[str, Field] = {header_key(name): field for field, names in _HEADER_NAMES.items() for name in names}


@dataclass(frozen=True, slots=True)
class Column:
    """Where a field sits in this file, and how the file names it."""

    field: Field
    index: int
    header: str

    @property
    def letter(self) -> str:
        from openpyxl.utils import get_column_letter  # here: openpyxl adds 16 MB to a worker that never reads XLSX

        return get_column_letter(self.index + 1)


@dataclass(frozen=True)
class Layout:
    """The columns of one file: which fields it has (an absent optional field leaves stored values alone)."""

    columns: dict[Field, Column]
    ignored: list[str]

    def has(self, field: Field) -> bool:
        return field in self.columns


def read_layout(header: Sequence[Cell]) -> tuple[Layout, list[Problem]]:
    """Map the header row to fields; problems for a required column that is missing or a field named twice."""
    columns: dict[Field, Column] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        text = str(cell).strip() if cell is not None else ""
        if not text:
            continue
        field = ALIASES.get(header_key(text))
        if field is None:
            ignored.append(text)
            continue
        column = Column(field, index, text)
        if field in columns:
            problems.append(
                Problem(
                    1,
                    text,
                    column.letter,
                    "duplicate_column",
                    str(
                        _l(
                            "Column %(column)s holds the same field as column %(first)s (%(header)s).",
                            column=column.letter,
                            first=columns[field].letter,
                            header=columns[field].header,
                        )
                    ),
                )
            )
            continue
        columns[field] = column
    for field in REQUIRED:
        if field not in columns:
            problems.append(
                Problem(
                    1,
                    _HEADER_NAMES[field][0],
                    None,
                    "missing_column",
                    str(
                        _l(
                            "The required column %(field)s is missing (accepted names include %(names)s).",
                            field=field.value,
                            names=", ".join(_HEADER_NAMES[field][:2] + _HEADER_NAMES[field][4:6]),
                        )
                    ),
                )
            )
    return Layout(columns, ignored), problems


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One person as the file describes them, values clean; optional fields the file lacks are None."""

    row: int
    employee_number: str
    name: str
    email: str
    organisation_code: str
    is_manager: bool
    language: str | None
    start_date: date | None
    end_date: date | None


class BadValue(ValueError):
    """A cell that does not hold what its column needs; code names the kind for summaries."""

    def __init__(self, code: str, message: object):
        super().__init__(str(message))
        self.code = code


MAX_LENGTHS = {Field.EMPLOYEE_NUMBER: 64, Field.NAME: 200, Field.EMAIL: 320, Field.ORGANISATION_CODE: 64}
TRUE_WORDS = frozenset({"ja", "j", "yes", "y", "true", "waar", "1", "x"})
FALSE_WORDS = frozenset({"nee", "n", "no", "false", "onwaar", "0", ""})
LANGUAGE_WORDS = {
    "nl": "nl", "nld": "nl", "dut": "nl", "nederlands": "nl", "dutch": "nl", "nlnl": "nl", "nlbe": "nl",
    "en": "en", "eng": "en", "engels": "en", "english": "en", "engb": "en", "enus": "en", "ennl": "en",
}  # fmt: skip
EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"]{1,64}@(?=.{1,255}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
DAY_FIRST_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
SERIAL = re.compile(r"^\d{1,6}(?:[.,]\d+)?$")
EXCEL_EPOCH = date(1899, 12, 30)
MAX_SERIAL = 109_574  # 31 December 2199


def text(value: Cell) -> str:
    """A cell as trimmed text; whole numbers from Excel without '.0', text in one Unicode form."""
    if type(value) is str:  # every CSV cell: the fast path
        value = value.strip()
        return value if value.isascii() else unicodedata.normalize("NFC", value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def parse_required(value: Cell, field: Field) -> str:
    result = text(value)
    if "  " in result or not result.isprintable():
        result = " ".join(result.split())
    if not result:
        raise BadValue("missing_value", _l("This cell is empty, but %(field)s is required.", field=field.value))
    if len(result) > MAX_LENGTHS[field]:
        raise BadValue("too_long", _l("Longer than %(max)s characters.", max=MAX_LENGTHS[field]))
    return result


def parse_email(value: Cell) -> str:
    email = parse_required(value, Field.EMAIL).lower()
    if not EMAIL.match(email):
        raise BadValue("invalid_email", _l("%(value)s is not an e-mail address.", value=_quoted(email)))
    return email


def parse_bool(value: Cell) -> bool:
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadValue(
        "invalid_boolean", _l("%(value)s is not yes or no (ja/nee, yes/no, true/false, 1/0).", value=_quoted(word))
    )


def parse_language(value: Cell, languages: Sequence[str]) -> str | None:
    word = text(value).lower()
    if word in languages:
        return word
    word = header_key(word)
    if not word:
        return None
    language = LANGUAGE_WORDS.get(word, word)
    if language not in languages:
        raise BadValue(
            "unknown_language",
            _l(
                "Unknown language %(value)s; use one of %(languages)s.",
                value=_quoted(text(value)),
                languages=", ".join(languages),
            ),
        )
    return language


def parse_date(value: Cell) -> date | None:
    """A date from an Excel date cell, an Excel serial number, YYYY-MM-DD, DD-MM-YYYY or YYYYMMDD; None when empty."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value), str(value))
    raw = text(value)
    if not raw:
        return None
    if len(raw) == 10 and raw[4] == "-":  # YYYY-MM-DD, by far the most common: the fast path
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    try:
        if match := ISO_DATE.match(raw):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := DAY_FIRST_DATE.match(raw):
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := COMPACT_DATE.match(raw):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
    except ValueError:
        raise BadValue("invalid_date", _l("%(value)s is not an existing date.", value=_quoted(raw))) from None
    if SERIAL.match(raw):
        return _serial(float(raw.replace(",", ".")), raw)
    raise BadValue("invalid_date", _l("%(value)s is not a date; write YYYY-MM-DD or DD-MM-YYYY.", value=_quoted(raw)))


def _serial(number: float, raw: str) -> date:
    """Excel's day count (1900 date system), as CSV files exported from Excel sometimes hold it."""
    if not 1 <= number <= MAX_SERIAL:
        raise BadValue(
            "invalid_date", _l("%(value)s is not a date; write YYYY-MM-DD or DD-MM-YYYY.", value=_quoted(raw))
        )
    return EXCEL_EPOCH + timedelta(days=int(number))


def _quoted(value: str, limit: int = 60) -> str:
    return f"“{value if len(value) <= limit else value[:limit] + '…'}”"


class RowParser:
    """Parses the rows of one file: the column plan is worked out once, so that a row costs only its cells."""

    def __init__(self, layout: Layout, languages: Sequence[str]):
        languages = tuple(languages)

        def language(value: Cell) -> str | None:
            return parse_language(value, languages)

        plan: list[tuple[Field, Callable[[Cell], Any], Any]] = [
            (Field.EMPLOYEE_NUMBER, partial(parse_required, field=Field.EMPLOYEE_NUMBER), None),
            (Field.NAME, partial(parse_required, field=Field.NAME), None),
            (Field.EMAIL, parse_email, None),
            (Field.ORGANISATION_CODE, partial(parse_required, field=Field.ORGANISATION_CODE), None),
            (Field.IS_MANAGER, parse_bool, False),
            (Field.LANGUAGE, language, None),
            (Field.START_DATE, parse_date, None),
            (Field.END_DATE, parse_date, None),
        ]
        self.layout = layout
        self.steps = [(layout.columns.get(field), parse, default) for field, parse, default in plan]

    def __call__(self, number: int, cells: Sequence[Cell]) -> tuple[RosterRow | None, list[Problem]]:
        """The row's clean values, or None and one problem per bad cell."""
        values: list[Any] = []
        problems: list[Problem] = []
        width = len(cells)
        for column, parse, default in self.steps:
            if column is None:
                values.append(default)
                continue
            try:
                values.append(parse(cells[column.index] if column.index < width else None))
            except BadValue as exc:
                problems.append(Problem(number, column.header, column.letter, exc.code, str(exc)))
                values.append(None)
        if problems:
            return None, problems
        row = RosterRow(number, *values)
        if row.start_date and row.end_date and row.end_date < row.start_date:
            column = self.layout.columns[Field.END_DATE]
            message = _l(
                "The end date %(end)s lies before the start date %(start)s.", end=row.end_date, start=row.start_date
            )
            return None, [Problem(number, column.header, column.letter, "end_before_start", str(message))]
        return row, []
