"""Refused requests and crashes are logged (route and person id, nothing personal); a crash shows a reference."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from elearning import create_app

from ..conftest import TEST_CONTENT, World, login


def test_access_denied_is_logged_with_route_and_person(
    client: FlaskClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    login(client, "employee@example.org")
    with caplog.at_level(logging.INFO):
        assert client.get("/admin/people").status_code == 403
    assert f"access denied: GET admin.people by person {world.employee.id}" in caplog.text
    assert "employee@example.org" not in caplog.text


def test_someone_elses_object_is_logged(client: FlaskClient, world: World, caplog: pytest.LogCaptureFixture) -> None:
    login(client, "hr-b@example.org")
    with caplog.at_level(logging.INFO):
        assert client.get(f"/people/{world.employee.id}/exemptions").status_code == 404  # not in HR B's subtree
    assert f"no such object for this person: GET people.person_exemptions by person {world.hr_b.id}" in caplog.text


def test_a_missing_csrf_token_is_logged(client: FlaskClient, world: World, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        response = client.post("/auth/login", data={"email": "employee@example.org", "password": "x" * 12})
    assert response.status_code == 400
    assert "refused without a valid CSRF token: POST auth.login" in caplog.text
    assert "employee@example.org" not in caplog.text


def test_refused_input_is_logged_without_what_was_typed(
    client: FlaskClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    login(client, "hr-a@example.org")
    with caplog.at_level(logging.INFO):
        response = client.get("/hr/?audience=Geheim-Getypt", headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "Geheim-Getypt" in response.get_data(as_text=True)  # the person sees it
    assert f"input refused: GET hr.completion by person {world.hr_a.id}" in caplog.text
    assert "Geheim-Getypt" not in caplog.text  # the log does not


def test_a_crash_shows_a_generic_page_with_a_reference_that_is_in_the_log(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app: Flask = create_app(
        {
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(TEST_CONTENT),
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "MAIL_BACKEND": "memory",
        }
    )

    @app.get("/crash")
    def crash() -> str:
        raise RuntimeError("secret internals: /srv/elearning/passwords.txt")

    try:
        with caplog.at_level(logging.INFO):
            response = app.test_client().get("/crash", headers={"Accept-Language": "en"})
        page = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Something went wrong" in page and "secret internals" not in page and "Traceback" not in page
        reference = re.search(r"mention reference ([0-9a-f]{8})", page)
        assert reference, page
        assert f"unexpected error, reference {reference.group(1)}: GET crash" in caplog.text
        assert "Content-Security-Policy" in response.headers
    finally:
        app.extensions["db_engine"].dispose()
