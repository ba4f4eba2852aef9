"""Reading roster files: encodings, separators, XLSX, header names and cell values, without a database."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from elearning.services.roster.columns import BadValue, Field, RowParser, parse_bool, parse_date, read_layout
from elearning.services.roster.read import UnreadableFile, open_table

from ..conftest import FIXTURES

ROSTERS = FIXTURES / "rosters"


def _rows(path: Path) -> tuple[list[object], list[tuple[int, list[object]]], str, str]:
    with open_table(path) as table:
        return table.header, list(table.rows), table.encoding, table.delimiter


def test_semicolons_bom_and_trailing_empty_rows() -> None:
    header, rows, encoding, delimiter = _rows(ROSTERS / "semicolon_bom.csv")
    assert (encoding, delimiter) == ("utf-8-sig", ";")
    assert header[0] == "Personeelsnummer"  # no BOM left on the first header
    assert [number for number, _cells in rows] == [2, 3, 4]  # the empty rows after them are left out
    assert rows[0][1][1] == "Şükrü Öztürk"


def test_windows_1252_with_commas_and_a_quoted_comma() -> None:
    _header, rows, encoding, delimiter = _rows(ROSTERS / "windows1252.csv")
    assert (encoding, delimiter) == ("cp1252", ",")
    assert [cells[1] for _n, cells in rows] == ["Zoë Peeters", "François Dubois, jr.", "Jürgen Müller"]


def test_utf8_without_bom_and_tabs(tmp_path: Path) -> None:
    path = tmp_path / "tabs.txt"
    path.write_text("naam\temail\nZoë\tz@example.org\n", encoding="utf-8")
    header, rows, encoding, delimiter = _rows(path)
    assert (encoding, delimiter, header) == ("utf-8", "\t", ["naam", "email"])
    assert rows == [(2, ["Zoë", "z@example.org"])]


def test_utf16_export_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_bytes("naam\temail\nŞükrü\ts@example.org\n".encode("utf-16"))
    _header, rows, encoding, _d = _rows(path)
    assert encoding == "utf-16" and rows[0][1][0] == "Şükrü"


def test_a_line_break_inside_quotes_keeps_spreadsheet_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "multiline.csv"
    path.write_text('naam,email\n"Jan\nJansen",j@example.org\nPiet,p@example.org\n', encoding="utf-8")
    assert [number for number, _cells in _rows(path)[1]] == [2, 3]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls"),
        (b"PK\x03\x04not really a zip", "Excel workbook"),
        (b"naam\x00email\n", "not a CSV"),
        (b"naam,email\n\x81\x8d\x90,x@example.org\n", "neither UTF-8 nor Windows-1252"),
        (b"\n\nnaam,email\nJan,j@example.org\n", "Row 1"),
    ],
)
def test_unreadable_files_say_why(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=message), open_table(path) as table:
        list(table.rows)


def test_xlsx_streams_typed_cells(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Personeelsnummer", "Naam", "E-mail", "Organisatiecode", "Leidinggevende", "Startdatum"])
    sheet.append([1234, "Zoë", "z@example.org", "DG-A", True, datetime(2024, 3, 1)])
    sheet.append([None, None, None, None, None, None])
    sheet.append([1235.0, "Şükrü", "s@example.org", "DG-A", "ja", 45292])
    for _ in range(3):
        sheet.append([])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    with open_table(path) as table:
        layout, problems = read_layout(table.header)
        parse = RowParser(layout, ("nl", "en"))
        parsed = [parse(number, cells) for number, cells in table.rows]
    assert problems == [] and table.file_format == "xlsx"
    rows = [row for row, _problems in parsed]
    assert [row.row if row else None for row in rows] == [2, 4]
    assert rows[0] is not None and rows[1] is not None
    assert (rows[0].employee_number, rows[0].is_manager, rows[0].start_date) == ("1234", True, date(2024, 3, 1))
    assert (rows[1].employee_number, rows[1].start_date) == ("1235", date(2024, 1, 1))


@pytest.mark.parametrize(
    "header",
    [
        ["personeelsnummer", "naam", "e-mail", "organisatiecode"],
        ["Employee_Number", "NAME", "Email", "Organisation Code"],
        ["Personeels nr.", "Volledige naam", "E-mailadres", "organization_code"],
    ],
)
def test_header_names_in_dutch_and_english(header: list[str]) -> None:
    layout, problems = read_layout([*header, "Kostenplaats"])
    assert problems == []
    assert set(layout.columns) == {Field.EMPLOYEE_NUMBER, Field.NAME, Field.EMAIL, Field.ORGANISATION_CODE}
    assert layout.ignored == ["Kostenplaats"]


def test_missing_and_doubled_columns_are_problems_in_row_1() -> None:
    _layout, problems = read_layout(["naam", "name", "email", "organisatiecode"])
    assert {(p.row, p.code) for p in problems} == {(1, "duplicate_column"), (1, "missing_column")}
    doubled = next(p for p in problems if p.code == "duplicate_column")
    assert (doubled.letter, doubled.column) == ("B", "name")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29", date(2024, 2, 29)),
        ("2024-2-9", date(2024, 2, 9)),
        ("2024-02-29 00:00:00", date(2024, 2, 29)),
        ("29-02-2024", date(2024, 2, 29)),
        ("9/2/2024", date(2024, 2, 9)),
        ("29.02.2024", date(2024, 2, 29)),
        ("20240229", date(2024, 2, 29)),
        ("45351", date(2024, 2, 29)),
        ("45351,0", date(2024, 2, 29)),
        (45351, date(2024, 2, 29)),
        (datetime(2024, 2, 29, 0, 0), date(2024, 2, 29)),
        ("", None),
        (None, None),
    ],
)
def test_dates(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["30-02-2024", "2024-13-01", "morgen", "12-2024", "9999999", "0", True])
def test_not_dates(value: object) -> None:
    with pytest.raises(BadValue) as problem:
        parse_date(value)
    assert problem.value.code == "invalid_date"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ja", True), ("JA", True), ("yes", True), ("true", True), ("WAAR", True), ("1", True), (1, True), (True, True),
     ("nee", False), ("No", False), ("false", False), ("0", False), ("", False), (None, False), (0.0, False)],
)  # fmt: skip
def test_booleans(value: object, expected: bool) -> None:
    assert parse_bool(value) is expected


def test_bad_boolean() -> None:
    with pytest.raises(BadValue, match="misschien"):
        parse_bool("misschien")


def test_row_values_are_trimmed_and_normalised() -> None:
    layout, _ = read_layout(["personeelsnummer", "naam", "email", "organisatiecode", "taal"])
    decomposed = "Zoe\u0308"  # "Zoë" as macOS writes it
    row, problems = RowParser(layout, ("nl", "en"))(
        7, [" 12 ", f"  {decomposed}   de  Vries ", " Z@X.NL ", "DG-A ", "EN"]
    )
    assert problems == [] and row is not None
    assert (row.employee_number, row.name, row.email, row.organisation_code, row.language) == (
        "12",
        "Zoë de Vries",
        "z@x.nl",
        "DG-A",
        "en",
    )


def test_every_bad_cell_of_a_row_is_reported_with_its_column() -> None:
    layout, _ = read_layout(["personeelsnummer", "naam", "email", "organisatiecode", "taal", "startdatum"])
    row, problems = RowParser(layout, ("nl", "en"))(9, ["", "Jan", "jan@", "DG-A", "fr", "gisteren"])
    assert row is None
    assert [(p.row, p.letter, p.code) for p in problems] == [
        (9, "A", "missing_value"),
        (9, "C", "invalid_email"),
        (9, "E", "unknown_language"),
        (9, "F", "invalid_date"),
    ]
