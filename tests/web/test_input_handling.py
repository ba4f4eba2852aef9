"""Requests that try the edges: parameters in the wrong place, extra fields, paths out of a folder, odd methods,
other origins, a tampered cookie, uploaded file names. Each is refused or ignored, and nothing leaks."""

from __future__ import annotations

import io
import re
import stat
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from elearning.services.roster.staging import MAX_OPEN_PER_PERSON

from ..conftest import PASSWORD, World, csrf_token, login

EN = {"Accept-Language": "en"}
PACKAGE = Path(__file__).resolve().parents[2] / "elearning"


def logged_in_as(client: FlaskClient) -> str | None:
    with client.session_transaction() as cookie:
        return cookie.get("_user_id")


def test_the_login_reads_its_fields_from_the_form_only(client: FlaskClient, world: World) -> None:
    """HTTP parameter pollution: the query string cannot supply or replace a form field."""
    token = csrf_token(client)
    query = f"/auth/login?email=admin@example.org&password={PASSWORD.replace(' ', '+')}"
    response = client.post(query, data={"csrf_token": token})
    assert response.status_code != 302 and logged_in_as(client) is None
    response = client.post(query, data={"email": "employee@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and logged_in_as(client) == str(world.employee.id)


def test_a_doubled_form_field_counts_once(client: FlaskClient, world: World) -> None:
    token = csrf_token(client)
    data = {"email": ["employee@example.org", "admin@example.org"], "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 302
    assert logged_in_as(client) == str(world.employee.id)  # the first value, never a mix of both


def test_extra_form_fields_are_not_assigned(client: FlaskClient, world: World, db: Session) -> None:
    """Mass assignment: a form binds its own fields only, whatever else a request carries."""
    login(client, "employee@example.org")
    new = "een nieuw en lang wachtwoord"
    data = {
        "current": PASSWORD,
        "password": new,
        "confirm": new,
        "csrf_token": csrf_token(client, "/auth/password"),
        "email": "attacker@example.org",
        "name": "Overgenomen",
        "is_manager": "1",
        "active": "0",
        "organisation_id": str(world.dg_b.id),
    }
    assert client.post("/auth/password", data=data, headers=EN).status_code == 302
    db.refresh(world.employee)
    assert world.employee.email == "employee@example.org" and world.employee.name == "Employee"
    assert world.employee.is_manager is False and world.employee.active is True
    assert world.employee.organisation_id == world.team_a1.id


@pytest.mark.parametrize(
    "path",
    [
        "/static/",
        "/static/css/",
        "/static/../config.py",
        "/static/%2e%2e/config.py",
        "/static/..%2fconfig.py",
        "/.git/config",
        "/instance/elearning.db",
        "/learn/basis/media/../01-welkom.nl.md",
        "/learn/basis/media/%2e%2e/module.md",
        "/learn/basis/media/..%2fmodule.md",
    ],
)
def test_no_folder_is_listed_and_nothing_outside_the_served_folders_is_sent(
    client: FlaskClient, world: World, path: str
) -> None:
    login(client, "employee@example.org")
    response = client.get(path)
    assert response.status_code == 404, path
    body = response.get_data(as_text=True)
    assert "Index of" not in body and "SECRET_KEY" not in body and "title:" not in body


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", ["/auth/login", "/learn/", "/admin/people", "/me/data.json"])
def test_only_the_methods_in_use_are_accepted_and_others_are_logged(
    client: FlaskClient, world: World, method: str, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) <= {"GET", "HEAD", "POST", "OPTIONS"}
    assert f"method not allowed: {method}" in caplog.text


def test_other_origins_get_no_cors_and_the_origin_header_decides_nothing(client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    evil = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    for response in (client.get("/me/data.json", headers=evil), client.options("/me/data.json", headers=evil)):
        assert not [name for name, _value in response.headers.items() if name.lower().startswith("access-control-")]
    assert client.get("/me/data.json", headers={"Origin": "null"}).status_code == 200  # the session decides
    reads_origin = re.compile(r"request\.origin|[\"']Origin[\"']")
    readers = [p for p in PACKAGE.rglob("*.py") if reads_origin.search(p.read_text(encoding="utf-8"))]
    assert not readers, readers


def test_a_tampered_session_cookie_logs_nobody_in(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, "employee@example.org")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    value = cookie.value
    position = len(value) // 2
    forged = value[:position] + ("A" if value[position] != "A" else "B") + value[position + 1 :]
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], forged)
    response = other.get("/learn/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_every_response_says_its_type_and_text_its_character_set(client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    types = {
        "/learn/": "text/html; charset=utf-8",
        "/does-not-exist": "text/html; charset=utf-8",
        "/me/data.json": "application/json",
        "/me/data.csv": "text/csv; charset=utf-8",
        "/healthz": "application/json",
        "/static/css/app.css": "text/css; charset=utf-8",
    }
    for path, expected in types.items():
        assert client.get(path).headers["Content-Type"] == expected, path


def test_an_uploaded_file_name_never_reaches_the_file_system(app: Flask, client: FlaskClient, world: World) -> None:
    login(client, "admin@example.org")
    roster = b"personeelsnummer;naam;e-mail;organisatiecode\nP-1;Een Persoon;een@example.org;DG-A-1\n"
    form = {
        "csrf_token": csrf_token(client, "/people/import"),
        "file": (io.BytesIO(roster), "../../../../tmp/evil.csv"),
        "mode": "partial",
    }
    response = client.post("/people/import", data=form, content_type="multipart/form-data", headers=EN)
    assert response.status_code == 302
    imports = Path(app.config["INSTANCE_DIR"]) / "imports"
    (folder,) = list(imports.iterdir())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for stored in folder.iterdir():
        assert "evil" not in stored.name
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert not list(Path(app.config["INSTANCE_DIR"]).rglob("evil*"))
    assert not Path("/tmp/evil.csv").exists()  # noqa: S108 - the path the name tried to reach


def test_a_person_keeps_a_few_pending_uploads_at_most(app: Flask, client: FlaskClient, world: World) -> None:
    """ASVS 12.1.3: uploads that were neither applied nor discarded cannot pile up; the oldest make room."""
    login(client, "admin@example.org")
    roster = b"personeelsnummer;naam;e-mail;organisatiecode\nP-1;Een Persoon;een@example.org;DG-A-1\n"
    tokens = []
    for number in range(MAX_OPEN_PER_PERSON + 2):
        form = {
            "csrf_token": csrf_token(client, "/people/import"),
            "file": (io.BytesIO(roster), f"roster-{number}.csv"),
            "mode": "partial",
        }
        response = client.post("/people/import", data=form, content_type="multipart/form-data", headers=EN)
        tokens.append(response.headers["Location"].rsplit("/", 1)[1])
    kept = {folder.name for folder in (Path(app.config["INSTANCE_DIR"]) / "imports").iterdir()}
    assert kept == set(tokens[-MAX_OPEN_PER_PERSON:])
    assert client.get(f"/people/import/{tokens[0]}").status_code == 404
    assert client.get(f"/people/import/{tokens[-1]}").status_code == 200
