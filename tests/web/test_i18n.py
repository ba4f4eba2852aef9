"""Dutch by default, English on request; the user's setting wins; both catalogues complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from ..conftest import World, csrf_token, login

ROOT = Path(__file__).resolve().parents[2]


def test_dutch_is_the_default(client: FlaskClient) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Inloggen" in page


def test_browser_language_is_used(client: FlaskClient) -> None:
    page = client.get("/auth/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in" in page


def test_switching_language_is_remembered_in_the_session(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post("/language", data={"language": "en", "csrf_token": token, "next": "/auth/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert '<html lang="en">' in client.get("/auth/login", headers={"Accept-Language": "nl"}).get_data(as_text=True)


def test_the_users_setting_wins_and_is_stored(client: FlaskClient, world: World) -> None:
    login(client, "employee@example.org")
    client.post("/language", data={"language": "en", "csrf_token": csrf_token(client, "/learn/")})
    client.get("/")  # new request
    assert world.db.get(type(world.employee), world.employee.id) is not None
    world.db.expire_all()
    assert world.db.get(type(world.employee), world.employee.id).preferred_language == "en"
    assert '<html lang="en">' in client.get("/learn/", headers={"Accept-Language": "nl"}).get_data(as_text=True)


@pytest.mark.parametrize("language", ["fr", "", "<script>"])
def test_unknown_language_is_refused(client: FlaskClient, language: str) -> None:
    response = client.post("/language", data={"language": language, "csrf_token": csrf_token(client)})
    assert response.status_code == 400


def test_language_switch_does_not_redirect_off_site(client: FlaskClient) -> None:
    response = client.post(
        "/language", data={"language": "en", "csrf_token": csrf_token(client), "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/"


def test_unknown_url_gives_a_translated_404(client: FlaskClient) -> None:
    dutch = client.get("/bestaat-niet")
    assert dutch.status_code == 404
    assert "Pagina niet gevonden" in dutch.get_data(as_text=True)
    english = client.get("/bestaat-niet", headers={"Accept-Language": "en"})
    assert "Page not found" in english.get_data(as_text=True)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_catalogue_is_complete(language: str, tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "translations/babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f)
    translated = {
        m.id
        for m in catalogue
        if m.id and m.string and (all(m.string) if isinstance(m.string, tuple) else True) and not m.fuzzy
    }
    missing = sorted(str(i) for i in extracted - translated)
    assert not missing, f"untranslated in {language}: {missing[:10]} ... ({len(missing)}); run `make translations`"
