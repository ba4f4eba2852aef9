"""The app with single sign-on configured against the test OpenID Connect provider on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from ..conftest import make_test_app
from ..loopback import serve
from .oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture(scope="session")
def provider_server() -> Iterator[tuple[Provider, str]]:
    provider = Provider()
    with serve(provider) as url:
        yield provider, url


@pytest.fixture
def provider(provider_server: tuple[Provider, str]) -> Provider:
    """The provider, reset for this test: it logs in a user with only a `sub` until the test says more."""
    provider, url = provider_server
    provider.reset(url)
    return provider


def sso_config(provider: Provider) -> dict[str, object]:
    return {
        "OIDC_ISSUER": provider.url,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "PASSWORD_LOGIN": "admins",
    }


@pytest.fixture
def app(database_url: str, tmp_path: Path, provider: Provider) -> Iterator[Flask]:
    yield from make_test_app(database_url, tmp_path, **sso_config(provider))


def through_provider(client: FlaskClient, start: str = "/auth/sso", language: str = "en") -> TestResponse:
    """Start SSO in the app, let the provider answer over HTTP, and bring its redirect back to the app's callback."""
    headers = {"Accept-Language": language}
    begin = client.get(start, headers=headers)
    assert begin.status_code == 302, begin.get_data(as_text=True)
    answer = requests.get(begin.headers["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}", headers=headers)
