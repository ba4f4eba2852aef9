"""The roster import in the browser: upload → preview → apply once; problems, scope, CSRF and who may use it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from elearning.models import AuditEvent, Person, utcnow

from ..conftest import FIXTURES, World, csrf_token, login

ROSTERS = FIXTURES / "rosters"
EN = {"Accept-Language": "en"}


def _upload(
    client: FlaskClient, data: bytes, *, mode: str | None = "full", filename: str = "roster.csv"
) -> TestResponse:
    form: dict[str, object] = {"csrf_token": csrf_token(client, "/people/import"), "file": (io.BytesIO(data), filename)}
    if mode is not None:
        form["mode"] = mode
    return client.post("/people/import", data=form, content_type="multipart/form-data", headers=EN)


def _token(response: TestResponse) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/people/import/([A-Za-z0-9_-]+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def _apply(client: FlaskClient, token: str, *, with_csrf: bool = True) -> TestResponse:
    data = {"token": token}
    if with_csrf:
        data["csrf_token"] = csrf_token(client, f"/people/import/{token}")
    return client.post("/people/import/apply", data=data, headers=EN)


def _page(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers=EN)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _roster_people(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Person).where(Person.employee_number.is_not(None))) or 0


def _imports(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "people.import")) or 0


def test_preview_then_apply_exactly_once(app: Flask, client: FlaskClient, world: World, db: Session) -> None:
    login(client, "admin@example.org")
    token = _token(_upload(client, (ROSTERS / "semicolon_bom.csv").read_bytes()))
    stored = Path(app.config["INSTANCE_DIR"]) / "imports" / token / "roster"
    assert stored.read_bytes() == (ROSTERS / "semicolon_bom.csv").read_bytes()
    page = _page(client, f"/people/import/{token}")
    assert "Check the import" in page and "Şükrü Öztürk" in page and "Apply this import" in page
    assert re.search(r"New</th><td class=\"num\">3</td>", page)
    assert "UTF-8 with byte order mark" in page and "separated by “;”" in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "two forms on one page, so every id must be unique"
    assert _roster_people(db) == 0  # a preview changes nothing

    response = _apply(client, token)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/people/import/{token}")
    page = _page(client, f"/people/import/{token}")
    assert "The import has been applied." in page and "Import applied" in page
    assert "Şükrü" not in page  # the outcome keeps counts, not names
    assert _roster_people(db) == 3 and _imports(db) == 1
    assert not stored.exists()  # the uploaded bytes are deleted once applied

    again = _apply(client, token)  # a double click, or the back button and another click
    assert again.status_code == 302
    assert "This import was already applied. Nothing was done twice." in _page(client, f"/people/import/{token}")
    assert _roster_people(db) == 3 and _imports(db) == 1


def test_an_invalid_file_shows_every_problem_and_cannot_be_applied(
    client: FlaskClient, world: World, db: Session
) -> None:
    login(client, "admin@example.org")
    token = _token(_upload(client, (ROSTERS / "bad_rows.csv").read_bytes()))
    page = _page(client, f"/people/import/{token}")
    assert "This file cannot be imported: it has 10 problems." in page
    assert "Employee number 3001 also appears in row 2." in page
    assert "Apply this import" not in page
    assert "Problems 1 to 10 of 10" in page
    response = _apply(client, token)  # forged: the button is not there
    assert response.status_code == 302
    assert "Nothing was changed" in _page(client, f"/people/import/{token}")
    assert _roster_people(db) == 0 and _imports(db) == 0


def test_many_problems_are_paged_with_the_total(client: FlaskClient, world: World) -> None:
    rows = "".join(f"{i};Person {i};not-an-address-{i};DG-A;nee;nl;;\n" for i in range(250))
    data = ("personeelsnummer;naam;email;organisatiecode;leidinggevende;taal;startdatum;einddatum\n" + rows).encode()
    login(client, "admin@example.org")
    token = _token(_upload(client, data))
    first = _page(client, f"/people/import/{token}")
    assert "it has 250 problems" in first and "Problems 1 to 100 of 250" in first and "Next problems" in first
    assert first.count("is not an e-mail address") == 100
    last = _page(client, f"/people/import/{token}?page=3")
    assert "Problems 201 to 250 of 250" in last and "Previous problems" in last and "Next problems" not in last


def test_hr_sees_rows_outside_its_units_as_problems(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "hr-a@example.org")
    token = _token(_upload(client, (ROSTERS / "semicolon_bom.csv").read_bytes()))
    page = _page(client, f"/people/import/{token}")
    assert "Unit DG-B lies outside the units you may import for." in page
    assert "DG-A" in page and "Apply this import" not in page


def test_hr_applies_within_its_units(client: FlaskClient, world: World, db: Session) -> None:
    world.colleague_b.employee_number = "B1"
    db.commit()
    data = (
        b"employee_number,name,email,organisation_code\n"
        b"A1,Nieuwe Collega,nieuw@example.org,DG-A-1\n"
        b"A2,Tweede Collega,tweede@example.org,DG-A\n"
    )
    login(client, "hr-a@example.org")
    token = _token(_upload(client, data))
    assert _apply(client, token).status_code == 302
    assert _roster_people(db) == 3
    db.expire_all()
    assert db.get(Person, world.colleague_b.id).active  # type: ignore[union-attr]


def test_someone_else_cannot_see_or_apply_my_upload(client: FlaskClient, app: Flask, world: World, db: Session) -> None:
    login(client, "hr-a@example.org")
    token = _token(_upload(client, (ROSTERS / "month2.csv").read_bytes(), mode="partial"))
    other = app.test_client()
    login(other, "admin@example.org")
    assert other.get(f"/people/import/{token}").status_code == 404
    data = {"token": token, "csrf_token": csrf_token(other, "/people/import")}
    assert other.post("/people/import/apply", data=data).status_code == 404
    assert other.get("/people/import/..%2F..%2Fetc").status_code == 404
    assert _roster_people(db) == 0


def test_the_data_changed_since_the_preview(client: FlaskClient, world: World, db: Session) -> None:
    login(client, "admin@example.org")
    token = _token(_upload(client, (ROSTERS / "semicolon_bom.csv").read_bytes()))
    world.dg_b.closed_at = utcnow()
    db.commit()
    assert _apply(client, token).status_code == 302
    page = _page(client, f"/people/import/{token}")
    assert "Organisation unit DG-B is closed." in page and "Nothing was changed" in page
    assert _roster_people(db) == 0


def test_discarding_an_upload(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "admin@example.org")
    token = _token(_upload(client, (ROSTERS / "semicolon_bom.csv").read_bytes()))
    data = {"token": token, "csrf_token": csrf_token(client, f"/people/import/{token}")}
    response = client.post("/people/import/discard", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/people/import")
    assert not (Path(app.config["INSTANCE_DIR"]) / "imports" / token).exists()
    assert client.get(f"/people/import/{token}").status_code == 404
    assert _apply(client, token, with_csrf=False).status_code == 400


def test_an_xlsx_upload(client: FlaskClient, world: World, db: Session) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Personeelsnummer", "Naam", "E-mail", "Organisatiecode"])
    sheet.append([501, "Zoë Peeters", "z@example.org", "DG-A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    login(client, "admin@example.org")
    token = _token(_upload(client, buffer.getvalue(), filename="Rooster.XLSX"))
    page = _page(client, f"/people/import/{token}")
    assert "<dd>Excel workbook</dd>" in page and re.search(r"New</th><td class=\"num\">1</td>", page)
    _apply(client, token)
    assert _roster_people(db) == 1


@pytest.mark.parametrize(
    ("data", "filename", "mode", "message"),
    [
        (b"", "", "full", "Choose the roster file to upload."),
        (b"a,b\n", "roster.pdf", "full", "Upload a CSV file (.csv or .txt) or an Excel workbook (.xlsx)."),
        (b"a,b\n", "roster.csv", None, "Choose whether this is the full roster or only changes."),
        (b"a,b\n", "roster.csv", "everything", "Not a valid choice"),
    ],
)
def test_upload_form_errors(
    app: Flask, client: FlaskClient, world: World, data: bytes, filename: str, mode: str | None, message: str
) -> None:
    login(client, "admin@example.org")
    response = _upload(client, data, mode=mode, filename=filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not (Path(app.config["INSTANCE_DIR"]) / "imports").exists()


def test_a_file_above_the_upload_limit(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "admin@example.org")
    token = csrf_token(client, "/people/import")
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    data = {"csrf_token": token, "mode": "full", "file": (io.BytesIO(b"x" * (3 * 1024 * 1024)), "big.csv")}
    response = client.post("/people/import", data=data, content_type="multipart/form-data", headers=EN)
    assert response.status_code == 413
    assert "larger than 2 MB" in response.get_data(as_text=True)
    assert "flask people import" in response.get_data(as_text=True)


def test_posts_without_a_csrf_token_are_refused(app: Flask, client: FlaskClient, world: World, db: Session) -> None:
    login(client, "admin@example.org")
    data = {"mode": "full", "file": (io.BytesIO((ROSTERS / "semicolon_bom.csv").read_bytes()), "roster.csv")}
    response = client.post("/people/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert not (Path(app.config["INSTANCE_DIR"]) / "imports").exists()
    token = _token(_upload(client, (ROSTERS / "semicolon_bom.csv").read_bytes()))
    assert _apply(client, token, with_csrf=False).status_code == 400
    assert client.post("/people/import/discard", data={"token": token}).status_code == 400
    assert _roster_people(db) == 0
    assert (Path(app.config["INSTANCE_DIR"]) / "imports" / token / "roster").exists()


@pytest.mark.parametrize("email", ["employee@example.org", "author@example.org", "manager@example.org"])
def test_only_hr_and_admin(client: FlaskClient, world: World, db: Session, email: str) -> None:
    login(client, email)
    for path in ("/people/", "/people/import", "/people/import/" + "x" * 32):
        assert client.get(path).status_code == 403, path
    data = {"token": "x" * 32, "csrf_token": csrf_token(client, "/learn/")}
    assert client.post("/people/import/apply", data=data).status_code == 403
    upload = {"csrf_token": data["csrf_token"], "mode": "full", "file": (io.BytesIO(b"a"), "r.csv")}
    assert client.post("/people/import", data=upload, content_type="multipart/form-data").status_code == 403
    assert _roster_people(db) == 0


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient, world: World) -> None:
    response = client.get("/people/import")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
