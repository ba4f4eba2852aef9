"""A roster file as a header and a stream of numbered rows: CSV in any usual encoding and separator, or XLSX."""

from __future__ import annotations

import codecs
import csv
import hashlib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...i18n import _l

CHUNK = 1 << 20
DELIMITERS = (";", ",", "\t")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls, or an .xlsx protected with a password

Cell = Any  # str from CSV; str, int, float, bool, datetime or None from XLSX


class UnreadableFile(Exception):
    """The file cannot be read as a roster at all (row: where reading stopped, if known)."""

    def __init__(self, message: object, row: int | None = None):
        super().__init__(str(message))
        self.row = row


@dataclass
class Table:
    """The header (row 1) and the data rows, numbered as a spreadsheet shows them; blank rows are left out."""

    file_format: str
    encoding: str
    delimiter: str
    header: list[Cell]
    rows: Iterator[tuple[int, list[Cell]]]


def file_sha256(path: Path) -> str:
    """A fingerprint of the bytes, so that an apply can prove it imports exactly the file that was checked."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open a CSV or XLSX roster; UnreadableFile when it is neither, or in an encoding we cannot tell."""
    with path.open("rb") as stream:
        start = stream.read(4096)
    if not start.strip():
        raise UnreadableFile(_l("The file is empty."))
    if start.startswith(ZIP_MAGIC):
        with _xlsx_table(path) as table:
            yield table
        return
    if start.startswith(OLE_MAGIC):
        raise UnreadableFile(
            _l(
                "This is an old Excel file (.xls) or a password-protected workbook. "
                "Save it as an Excel workbook (.xlsx) without a password, or as CSV."
            )
        )
    encoding = _detect_encoding(path, start)
    with path.open(encoding=encoding, newline="") as text:
        first_line = text.readline()
        text.seek(0)
        delimiter = _sniff_delimiter(first_line)
        rows = _numbered(csv.reader(text, delimiter=delimiter))
        header = _header(rows)
        yield Table("csv", encoding, delimiter, header, rows)


def _detect_encoding(path: Path, start: bytes) -> str:
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" export
    if b"\x00" in start:
        raise UnreadableFile(_l("This is not a CSV or Excel file."))
    for encoding in ("utf-8", "cp1252"):
        if _decodes(path, encoding):
            return encoding
    raise UnreadableFile(_l("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV UTF-8 or as .xlsx."))


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes strictly, read in chunks (one streaming pass, no copy in memory)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sniff_delimiter(line: str) -> str:
    """The separator the header row uses most (column names hold none of them); a comma when it has none."""
    counts = {delimiter: line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _blank(cells: list[Cell] | tuple[Cell, ...]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _numbered(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[Cell]]]:
    """Rows with their spreadsheet numbers (one per record, even when a quoted cell holds a line break)."""
    number = 0
    try:
        for number, cells in enumerate(rows, start=1):
            if not _blank(cells):
                yield number, list(cells)
    except csv.Error as exc:
        raise UnreadableFile(
            _l("The CSV file cannot be read from here on: %(reason)s", reason=str(exc)), number + 1
        ) from None


def _header(rows: Iterator[tuple[int, list[Cell]]]) -> list[Cell]:
    first = next(rows, None)
    if first is None:
        raise UnreadableFile(_l("The file holds no rows."))
    number, cells = first
    if number != 1:
        raise UnreadableFile(_l("Row 1 must hold the column names, but it is empty."), 1)
    return cells


@contextmanager
def _xlsx_table(path: Path) -> Iterator[Table]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    # A stream, not a path: openpyxl would refuse a path by its name, and uploads are kept without one.
    stream = path.open("rb")
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        stream.close()
        raise UnreadableFile(_l("This is not an Excel workbook (.xlsx) that can be read.")) from exc
    try:
        sheet = workbook.active or workbook.worksheets[0]
        # Some programs write a wrong sheet size; without this, read-only mode would trust it and cut rows off.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        raw = sheet.iter_rows(values_only=True)  # type: ignore[union-attr]
        rows = ((number, list(cells)) for number, cells in enumerate(raw, start=1) if cells and not _blank(cells))
        header = _header(rows)
        yield Table("xlsx", "", "", header, rows)
    finally:
        workbook.close()
        stream.close()
