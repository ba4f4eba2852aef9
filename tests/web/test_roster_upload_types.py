"""The roster upload accepts CSV text and Excel workbooks whose bytes match their name, and no zip bombs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from elearning.services.errors import InvalidInput
from elearning.services.roster.upload import MAX_ENTRIES, UNPACKED_LIMIT, check_upload

from ..conftest import FIXTURES, World, csrf_token, login

EN = {"Accept-Language": "en"}
CSV = b"personeelsnummer;naam;e-mail;organisatiecode\n1;Een Persoon;een@example.org;DG-A\n"


def upload(client: FlaskClient, data: bytes, filename: str) -> TestResponse:
    form = {"csrf_token": csrf_token(client, "/people/import"), "file": (io.BytesIO(data), filename), "mode": "partial"}
    return client.post("/people/import", data=form, content_type="multipart/form-data", headers=EN)


def _workbook(extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"MZ\x90\x00 an executable", "roster.csv", "is named .csv but is not a text file"),
        (_workbook(), "roster.txt", "is named .txt but is not a text file"),
        (b"%PDF-1.7 ...", "roster.csv", "is named .csv but is not a text file"),
        (CSV, "roster.xlsx", "is named .xlsx but is not an Excel workbook"),
        (b"PK\x03\x04 not really a zip", "roster.xlsx", "This is not an Excel workbook (.xlsx) that can be read."),
        (_workbook().replace(b"xl/workbook.xml", b"xl/notebook.xml"), "roster.xlsx", "not an Excel workbook"),
        (CSV, "roster.exe", "Upload a CSV file (.csv or .txt) or an Excel workbook (.xlsx)."),
        (CSV, "roster", "Upload a CSV file (.csv or .txt) or an Excel workbook (.xlsx)."),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(
    app: Flask, client: FlaskClient, world: World, data: bytes, filename: str, message: str
) -> None:
    login(client, "admin@example.org")
    response = upload(client, data, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not (Path(app.config["INSTANCE_DIR"]) / "imports").exists()  # nothing was stored


def test_a_workbook_that_unpacks_to_too_much_is_refused() -> None:
    bomb = _workbook({"xl/worksheets/sheet1.xml": b"\0" * (UNPACKED_LIMIT + 1)})
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(InvalidInput, match="unpacks to more than 256 MB"):
        check_upload(bomb, "roster.xlsx")


def test_a_workbook_of_too_many_files_is_refused() -> None:
    many = _workbook({f"xl/media/{number}.bin": b"" for number in range(MAX_ENTRIES)})
    with pytest.raises(InvalidInput, match="holds more than 1000 files"):
        check_upload(many, "roster.xlsx")
    check_upload(_workbook({f"xl/media/{number}.bin": b"" for number in range(MAX_ENTRIES - 2)}), "roster.xlsx")


def test_real_rosters_pass(app: Flask, client: FlaskClient, world: World) -> None:
    for path in sorted((FIXTURES / "rosters").glob("*")):
        if path.suffix.lower() in {".csv", ".txt", ".xlsx"}:
            check_upload(path.read_bytes(), path.name)
    check_upload(CSV, "Rooster Maart.CSV")
    check_upload("naam\n".encode("utf-16"), "utf16.txt")  # UTF-16 text has NUL bytes and is still text
    login(client, "admin@example.org")
    assert upload(client, CSV, "roster.csv").status_code == 302
