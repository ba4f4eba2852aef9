"""CSV and XLSX downloads, written row by row with constant memory; cells neutralised against formula injection."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_576
CSV_CHUNK_ROWS = 1_000  # about 120 KiB of text per chunk
Cell = str | int | float | date | datetime | None


def generated_at(moment: datetime) -> str:
    """When a download was made, in UTC; without Babel's locale data (megabytes in a worker that streams a file)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def neutralise(value: Cell) -> Cell:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe; numbers and dates stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_stream(
    about: Sequence[tuple[str, str]], header: Sequence[str], rows: Iterable[Sequence[Cell]], *, delimiter: str
) -> Iterator[str]:
    """The CSV as text chunks: a byte order mark (Excel reads UTF-8 then), the `about` lines, a blank line, the table.

    With ";" Dutch Excel opens it straight away; "," suits other tools. Rows come ready: text already passed through
    `neutralise` by whoever built them (tables.py), numbers, dates and None as they are; the csv module writes them
    without a Python call per cell, which decides the speed of an export of millions of rows.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write("\ufeff")
    for label, value in about:
        writer.writerow([neutralise(label), neutralise(value)])
    writer.writerow([])
    writer.writerow([neutralise(name) for name in header])
    batch: list[Sequence[Cell]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CSV_CHUNK_ROWS:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue()


def xlsx_file(
    title: str, about: Sequence[tuple[str, str]], header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> str:
    """Write the workbook to a temporary file (constant memory) and return its path; the caller deletes it.

    Rows come ready as for `csv_stream`. The table goes on sheet `title` (continued on further sheets past Excel's
    row limit), the filters and the generation time on a sheet "About".
    """
    import xlsxwriter  # here: only XLSX downloads need it (10 MB per worker otherwise)

    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="report-")
    os.close(handle)
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(path, options)
    try:
        bold = workbook.add_format({"bold": True})
        day = workbook.add_format({"num_format": "yyyy-mm-dd"})
        moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        sheet, number = None, 0
        line = EXCEL_MAX_ROWS
        for row in rows:
            if line >= EXCEL_MAX_ROWS:
                number += 1
                sheet = workbook.add_worksheet(title[:28] if number == 1 else f"{title[:24]} ({number})")
                sheet.write_row(0, 0, [neutralise(name) for name in header], bold)
                sheet.freeze_panes(1, 0)
                line = 1
            if sheet is None:
                raise RuntimeError("no worksheet to write to")
            for column, value in enumerate(row):
                _write(sheet, line, column, value, day, moment)
            line += 1
        if sheet is None:
            sheet = workbook.add_worksheet(title[:28])
            sheet.write_row(0, 0, [neutralise(name) for name in header], bold)
        info = workbook.add_worksheet("About")
        for index, (label, value) in enumerate(about):
            info.write_string(index, 0, str(neutralise(label)), bold)
            info.write_string(index, 1, str(neutralise(value)))
        workbook.close()
    except BaseException:
        os.unlink(path)
        raise
    return path


def _write(sheet: Any, line: int, column: int, value: Cell, day: Any, moment: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(line, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(line, column, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(line, column, value.replace(tzinfo=None), moment)
    elif isinstance(value, date):
        sheet.write_datetime(line, column, datetime.combine(value, datetime.min.time()), day)
    else:
        sheet.write_string(line, column, value)


def file_chunks(path: str, size: int = 256 * 1024) -> Iterator[bytes]:
    """The file's bytes, then the file is gone."""
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(size):
                yield chunk
    finally:
        os.unlink(path)
