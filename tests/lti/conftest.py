"""The app with an LTI tool key, and a simulated LMS on a loopback port that is registered as a platform."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from elearning.models import LtiPlatform
from elearning.services.lti import registrations, tool_key

from ..conftest import make_test_app
from ..loopback import serve
from .platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER, Platform


@pytest.fixture(scope="session")
def platform_server() -> Iterator[tuple[Platform, str]]:
    platform = Platform()
    with serve(platform) as url:
        yield platform, url


@pytest.fixture(scope="session")
def tool_pem(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("lti-key") / "tool.pem"
    tool_key.generate(path)
    return path.read_bytes()


@pytest.fixture
def platform(platform_server: tuple[Platform, str]) -> Platform:
    platform, url = platform_server
    platform.reset(url)
    return platform


@pytest.fixture
def app(database_url: str, tmp_path: Path, tool_pem: bytes, platform: Platform) -> Iterator[Flask]:
    key_file = tmp_path / "lti-tool-key.pem"
    key_file.write_bytes(tool_pem)
    for app in make_test_app(database_url, tmp_path, LTI_KEY_FILE=str(key_file)):
        platform.tool_jwks = app.test_client().get("/lti/jwks").get_json()  # what the LMS reads from the tool
        yield app


@pytest.fixture
def registered(db: Session, platform: Platform) -> LtiPlatform:
    """The simulated LMS, registered as the LMS administrator's values say."""
    registration, _created = registrations.register(
        db,
        None,
        registrations.Registration(
            name="Moodle",
            issuer=ISSUER,
            client_id=CLIENT_ID,
            deployment_ids=(DEPLOYMENT_ID,),
            auth_login_url=platform.url + "/auth",
            auth_token_url=platform.url + "/token",
            key_set_url=platform.url + "/jwks",
        ),
    )
    db.commit()
    return registration


def start_login(client: FlaskClient, **changes: str) -> dict[str, str]:
    """The LMS's third-party initiated login; returns the parameters the tool sent to the LMS's auth endpoint."""
    params = {
        "iss": ISSUER,
        "login_hint": "moodle-user-42",
        "target_link_uri": "https://leren.example.org/lti/launch",
        "client_id": CLIENT_ID,
        "lti_deployment_id": DEPLOYMENT_ID,
        "lti_message_hint": "hint-1",
        **changes,
    }
    response = client.post("/lti/login", data=params)
    assert response.status_code == 302, response.get_data(as_text=True)
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def launch(client: FlaskClient, platform: Platform, **changes: object) -> TestResponse:
    """A whole launch: login, then the platform's signed id_token posted back with the state."""
    sent = start_login(client)
    token = platform.id_token(sent["nonce"], **changes)
    return client.post(
        "/lti/launch", data={"id_token": token, "state": sent["state"]}, headers={"Accept-Language": "en"}
    )
