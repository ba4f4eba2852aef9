"""Security headers on every response, HSTS only over HTTPS, trusted proxies, the request size limit, and templates
that a strict Content-Security-Policy does not break."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from elearning import create_app
from elearning.web.security_headers import CONTENT_SECURITY_POLICY

from ..conftest import PASSWORD, World, csrf_token, login
from .html_checks import csp_problems

TEMPLATES = Path(__file__).resolve().parents[2] / "elearning" / "templates"
STATIC = Path(__file__).resolve().parents[2] / "elearning" / "static"
EN = {"Accept-Language": "en"}


def assert_security_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] in {"same-origin", "no-referrer"}
    assert headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    assert "Server" not in headers and "X-Powered-By" not in headers  # nothing about what runs behind it


def test_the_policy_is_strict() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'self'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY
    assert "*" not in CONTENT_SECURITY_POLICY and "data:" not in CONTENT_SECURITY_POLICY


def test_every_kind_of_response_carries_the_headers(app: Flask, client: FlaskClient, world: World) -> None:
    responses = [
        client.get("/auth/login"),
        client.get("/static/css/app.css"),
        client.get("/static/js/reflection.js"),
        client.get("/does-not-exist"),
        client.get("/healthz"),
        client.get("/learn/"),  # redirect to login
        client.post("/language", data={"language": "en", "csrf_token": csrf_token(client)}),
        client.post("/auth/login", data={"email": "x@example.org", "password": "y"}),  # no CSRF token: 400
    ]
    login(client, "employee@example.org")
    responses += [client.get("/learn/"), client.get("/me/data.json"), client.get("/me/data.csv")]
    for response in responses:
        assert_security_headers(response)
        assert "Strict-Transport-Security" not in response.headers  # plain http on a laptop


def test_pages_and_downloads_are_never_cached_but_the_sites_own_files_are(client: FlaskClient, world: World) -> None:
    anonymous = [client.get("/auth/login"), client.get("/privacy"), client.get("/does-not-exist"), client.get("/")]
    login(client, "hr-a@example.org")
    personal = [client.get(path) for path in ("/learn/", "/me/", "/me/data.json", "/hr/", "/hr/people")]
    assert all(response.status_code == 200 for response in personal)
    for response in anonymous + personal:
        assert response.headers["Cache-Control"] == "no-store", response.request.path
    for path in ("/static/css/app.css", "/static/js/reflection.js"):
        assert "no-store" not in client.get(path).headers.get("Cache-Control", "")


def test_token_pages_keep_their_stricter_referrer_policy(client: FlaskClient, world: World) -> None:
    response = client.get("/auth/reset/not-a-real-token")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_hsts_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
    secure = client.get("/auth/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # A forwarded scheme is not believed without a trusted proxy.
    forwarded = client.get("/auth/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forwarded.headers


def _proxied_app(database_url: str, tmp_path: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "MAIL_BACKEND": "memory",
            "TRUSTED_PROXIES": 1,
            "LOGIN_ADDRESS_FAILURES": 2,
        }
    )


def test_behind_a_trusted_proxy_its_scheme_and_client_address_count(
    app: Flask, world: World, database_url: str, tmp_path: Path
) -> None:
    proxied = _proxied_app(database_url, tmp_path)
    try:
        client = proxied.test_client()
        response = client.get("/auth/login", headers={"X-Forwarded-Proto": "https"})
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        token = csrf_token(client)
        for _ in range(2):
            data = {"email": "a@example.org", "password": "wrong password", "csrf_token": token}
            client.post("/auth/login", data=data, headers={"X-Forwarded-For": "192.0.2.1"})
        data = {"email": "employee@example.org", "password": PASSWORD, "csrf_token": token}
        blocked = client.post("/auth/login", data=data, headers={"X-Forwarded-For": "192.0.2.1"})
        assert blocked.status_code == 429  # that client address is locked ...
        allowed = client.post("/auth/login", data=data, headers={"X-Forwarded-For": "192.0.2.2"})
        assert allowed.status_code == 302  # ... another one behind the same proxy is not
    finally:
        proxied.extensions["db_engine"].dispose()


PLAIN = "http://leren.example.org"  # the test client would otherwise follow PREFERRED_URL_SCHEME (https)


def _production_app(database_url: str, tmp_path: Path, **extra: object) -> Flask:
    return create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_DIR": str(tmp_path),
            "ENV_NAME": "production",
            "SECRET_KEY": "a-production-secret-key-of-enough-length",
            "MAIL_BACKEND": "smtp",
            "BASE_URL": "https://leren.example.org",
            "SESSION_COOKIE_NAME": "__Host-session",
            "SESSION_COOKIE_SECURE": True,
            "REMEMBER_COOKIE_SECURE": True,
            "PREFERRED_URL_SCHEME": "https",
            **extra,
        }
    )


def test_production_sends_plain_http_to_the_https_address(
    app: Flask, world: World, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    production = _production_app(database_url, tmp_path)
    try:
        client = production.test_client()
        for method in (client.get, client.post):
            plain = method("/auth/login?next=/me/", base_url="http://evil.example")  # a forged Host too
            assert plain.status_code == 308  # a form's POST is repeated over HTTPS, not turned into a GET
            assert plain.headers["Location"] == "https://leren.example.org/auth/login?next=/me/"
            assert "Set-Cookie" not in plain.headers
        assert "ELEARNING_TRUSTED_PROXIES" in caplog.text  # the setting to fix if a TLS proxy is not trusted
        secure = client.get("/auth/login", base_url="https://leren.example.org")
        assert secure.status_code == 200
        assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "__Host-session=" in secure.headers["Set-Cookie"] and "Secure" in secure.headers["Set-Cookie"]
        assert client.get("/healthz", base_url=PLAIN).status_code == 200  # the load balancer's may stay plain
    finally:
        production.extensions["db_engine"].dispose()


def test_production_behind_a_trusted_tls_proxy(app: Flask, world: World, database_url: str, tmp_path: Path) -> None:
    production = _production_app(database_url, tmp_path, TRUSTED_PROXIES=1)
    try:
        client = production.test_client()
        response = client.get("/auth/login", base_url=PLAIN, headers={"X-Forwarded-Proto": "https"})
        assert response.status_code == 200 and "Strict-Transport-Security" in response.headers
        assert client.get("/auth/login", base_url=PLAIN).status_code == 308  # no word from the proxy: plain HTTP
    finally:
        production.extensions["db_engine"].dispose()


def test_development_serves_plain_http(client: FlaskClient) -> None:
    assert client.get("/auth/login").status_code == 200


def test_the_request_size_limit(app: Flask, client: FlaskClient) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024
    token = csrf_token(client)
    body = {"email": "x@example.org", "password": "p" * (17 * 1024 * 1024), "csrf_token": token}
    response = client.post("/auth/login", data=body, content_type="multipart/form-data")
    assert response.status_code == 413
    assert_security_headers(response)


@pytest.mark.parametrize("template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")))
def test_templates_have_no_inline_script_style_or_handlers(template: str) -> None:
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    without_jinja = re.sub(r"\{[{%#].*?[}%#]\}", "", source, flags=re.DOTALL)
    assert csp_problems(without_jinja) == []
    assert not re.search(r"\son[a-z]+\s*=", source), "event handler attribute"
    assert not re.search(r"\sstyle\s*=", source), "style attribute (CSP style-src 'self' blocks it)"


def test_the_static_files_load_nothing_from_elsewhere() -> None:
    for path in [*STATIC.rglob("*.css"), *STATIC.rglob("*.js")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(https?:|//|data:)", text), path
        assert "eval(" not in text and "new Function" not in text and "innerHTML" not in text, path
        assert ".style." not in text and 'setAttribute("style"' not in text, path


def test_the_html_checker_finds_what_csp_blocks() -> None:
    assert csp_problems('<p onclick="x()">a</p>')
    assert csp_problems('<div style="color:red">a</div>')
    assert csp_problems("<script>alert(1)</script>")
    assert csp_problems("<style>p{}</style>")
    assert csp_problems('<img src="https://evil.example/x.png" alt="">')
    assert csp_problems('<a href="javascript:alert(1)">a</a>')
    assert (
        csp_problems('<script src="/static/js/reflection.js"></script><a href="https://rijksoverheid.nl">x</a>') == []
    )
