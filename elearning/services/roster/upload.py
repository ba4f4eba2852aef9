"""What a roster upload may be: a CSV text file (.csv, .txt) or an Excel workbook (.xlsx) whose bytes match its name.

The request size limit (MAX_CONTENT_LENGTH, 413) bounds the upload itself; a workbook must also not unpack to more
than UNPACKED_LIMIT nor hold more than MAX_ENTRIES files, so that a small "zip bomb" cannot keep a worker busy for
minutes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

from ...i18n import _l
from ..errors import InvalidInput
from .read import OLE_MAGIC, ZIP_MAGIC

TEXT_EXTENSIONS = frozenset({"csv", "txt"})
WORKBOOK_EXTENSIONS = frozenset({"xlsx"})
UNPACKED_LIMIT = 256 * 1024 * 1024
MAX_ENTRIES = 1_000  # a roster workbook holds a dozen files; tens of thousands of tiny ones is an attack
# Starts of files that are certainly not CSV text (archives, PDF, images, executables). OLE (old .xls) is left to
# the reader, which explains how to save such a file instead.
_BINARY_STARTS = (
    ZIP_MAGIC,
    b"%PDF",
    b"MZ",
    b"\x7fELF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\xca\xfe\xba\xbe",
)


def extension(filename: str) -> str:
    return PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")


def check_upload(data: bytes, filename: str) -> None:
    """Raise InvalidInput, saying what to do, when the upload is not a roster file we are willing to read."""
    kind = extension(filename)
    if kind not in TEXT_EXTENSIONS | WORKBOOK_EXTENSIONS:
        raise InvalidInput(_l("Upload a CSV file (.csv or .txt) or an Excel workbook (.xlsx)."))
    if kind in TEXT_EXTENSIONS and data.startswith(_BINARY_STARTS):
        raise InvalidInput(
            _l(
                "This file is named .%(extension)s but is not a text file. Save the roster as CSV, "
                "or upload an Excel workbook with the extension .xlsx.",
                extension=kind,
            )
        )
    if kind in WORKBOOK_EXTENSIONS:
        if data.startswith(OLE_MAGIC):
            return  # a password-protected or old workbook: the reader says how to save it
        if not data.startswith(ZIP_MAGIC):
            raise InvalidInput(_l("This file is named .xlsx but is not an Excel workbook. Save it again as .xlsx."))
        _check_workbook(data)


def _check_workbook(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InvalidInput(_l("This is not an Excel workbook (.xlsx) that can be read.")) from None
    if not any(entry.filename == "xl/workbook.xml" for entry in entries):
        raise InvalidInput(_l("This is not an Excel workbook (.xlsx) that can be read."))
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(
            _l(
                "This workbook holds more than %(count)s files; it is not a roster. Save the roster as CSV.",
                count=MAX_ENTRIES,
            )
        )
    if sum(entry.file_size for entry in entries) > UNPACKED_LIMIT:
        raise InvalidInput(
            _l(
                "This workbook unpacks to more than %(size)s MB. Save the roster as CSV, or import it on the "
                "server with “flask people import”.",
                size=UNPACKED_LIMIT // (1024 * 1024),
            )
        )
