"""Settings: safe defaults, refusal of unsafe production settings, and a clear line for an unreachable database."""

from __future__ import annotations

import pytest

from elearning import create_app
from elearning.config import DEFAULT_SECRET_KEY, StartupError, check_production, from_env, safe_url


def test_defaults_are_for_a_laptop() -> None:
    config = from_env({})
    assert config["DATABASE_URL"].startswith("sqlite:///")
    assert config["BABEL_DEFAULT_LOCALE"] == "nl"
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["CONTENT_DIR"].endswith("content/modules")
    assert config["BABEL_TRANSLATION_DIRECTORIES"].startswith("/")


def test_environment_variables_override_defaults() -> None:
    config = from_env({"ELEARNING_DATABASE_URL": "postgresql+psycopg://u@h/db", "ELEARNING_ENV": "production"})
    assert config["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
    assert config["SESSION_COOKIE_SECURE"] is True


PRODUCTION = {
    "ELEARNING_ENV": "production",
    "ELEARNING_SECRET_KEY": "x" * 40,
    "ELEARNING_MAIL_BACKEND": "smtp",
    "ELEARNING_BASE_URL": "https://leren.example.org",
}


def test_production_refuses_the_default_secret_key() -> None:
    config = from_env({"ELEARNING_ENV": "production"})
    assert config["SECRET_KEY"] == DEFAULT_SECRET_KEY
    with pytest.raises(StartupError, match="ELEARNING_SECRET_KEY"):
        check_production(config)


def test_production_refuses_debug() -> None:
    config = from_env(PRODUCTION) | {"DEBUG": True}
    with pytest.raises(StartupError, match="debug"):
        check_production(config)


def test_production_accepts_a_real_secret_smtp_and_https() -> None:
    check_production(from_env(PRODUCTION))


def test_production_refuses_the_console_mail_sender() -> None:
    with pytest.raises(StartupError, match="ELEARNING_MAIL_BACKEND=smtp"):
        check_production(from_env(PRODUCTION | {"ELEARNING_MAIL_BACKEND": "console"}))


def test_production_refuses_a_plain_http_base_url() -> None:
    with pytest.raises(StartupError, match="ELEARNING_BASE_URL"):
        check_production(from_env(PRODUCTION | {"ELEARNING_BASE_URL": "http://leren.example.org"}))


def test_production_makes_https_addresses_and_secure_cookies() -> None:
    config = from_env(PRODUCTION)
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert from_env({})["PREFERRED_URL_SCHEME"] == "http"  # a laptop serves plain http://127.0.0.1


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"REMEMBER_COOKIE_SECURE": False}, "REMEMBER_COOKIE_SECURE"),
        ({"PREFERRED_URL_SCHEME": "http"}, "PREFERRED_URL_SCHEME"),
        ({"WTF_CSRF_ENABLED": False}, "WTF_CSRF_ENABLED"),
        ({"WTF_CSRF_SSL_STRICT": False}, "WTF_CSRF_SSL_STRICT"),
    ],
)
def test_production_refuses_settings_without_https_or_csrf(override: dict[str, object], named: str) -> None:
    with pytest.raises(StartupError, match=named):
        check_production(from_env(PRODUCTION) | override)


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ELEARNING_SECRET_KEY": DEFAULT_SECRET_KEY}, "ELEARNING_SECRET_KEY"),
        ({"ELEARNING_SECRET_KEY": "too short"}, "ELEARNING_SECRET_KEY"),
        ({"FLASK_DEBUG": "1"}, "FLASK_DEBUG"),
        ({"ELEARNING_BASE_URL": "http://leren.example.org"}, "ELEARNING_BASE_URL"),
        ({"ELEARNING_MAIL_BACKEND": "console"}, "ELEARNING_MAIL_BACKEND"),
    ],
)
def test_the_app_does_not_start_in_production_with_an_unsafe_environment(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], named: str
) -> None:
    """The whole start-up, from the process environment as gunicorn or `flask run` would have it."""
    for name, value in (PRODUCTION | environ).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(StartupError, match=named) as stopped:
        create_app()
    assert str(stopped.value.code).startswith("elearning: ")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://app:pw@db.example:5432/elearning",
        "postgresql+psycopg://app:pw@db.example:5432/elearning?sslmode=require",  # encrypted, certificate unchecked
        "postgresql+psycopg://app:pw@/elearning?host=db.example",
    ],
)
def test_production_refuses_a_remote_database_without_verified_tls(url: str) -> None:
    with pytest.raises(StartupError, match=r"sslmode=verify-full to ELEARNING_DATABASE_URL"):
        check_production(from_env(PRODUCTION | {"ELEARNING_DATABASE_URL": url}))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://app:pw@db.example:5432/elearning?sslmode=verify-full",
        "postgresql+psycopg://app:pw@127.0.0.1:5432/elearning",
        "postgresql+psycopg://app@/elearning?host=/var/run/postgresql",
        "sqlite:////srv/elearning/instance/elearning.db",
    ],
)
def test_production_accepts_a_local_database_or_verified_tls(url: str) -> None:
    check_production(from_env(PRODUCTION | {"ELEARNING_DATABASE_URL": url}))


def test_production_refuses_a_remote_mail_relay_without_starttls() -> None:
    remote = PRODUCTION | {"ELEARNING_SMTP_HOST": "smtp.example.org", "ELEARNING_SMTP_STARTTLS": "false"}
    with pytest.raises(StartupError, match="ELEARNING_SMTP_STARTTLS=true"):
        check_production(from_env(remote))
    check_production(from_env(remote | {"ELEARNING_SMTP_STARTTLS": "true"}))
    check_production(from_env(PRODUCTION | {"ELEARNING_SMTP_STARTTLS": "false"}))  # a relay on this machine


def test_an_unknown_mail_backend_is_named() -> None:
    with pytest.raises(StartupError, match="'pigeon' is unknown"):
        check_production(from_env({"ELEARNING_MAIL_BACKEND": "pigeon"}))


def test_sqlite_with_several_workers_needs_wal() -> None:
    config = from_env({"ELEARNING_WORKERS": "4", "ELEARNING_SQLITE_JOURNAL_MODE": "delete"})
    with pytest.raises(StartupError, match="WAL"):
        check_production(config)
    check_production(from_env({"ELEARNING_WORKERS": "4"}))  # WAL is the default


def test_safe_url_hides_the_password() -> None:
    shown = safe_url("postgresql+psycopg://app:s3cret@db.example:5432/elearning")
    assert "s3cret" not in shown
    assert "db.example" in shown


def test_unreachable_database_stops_start_up_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql+psycopg://app:s3cret@127.0.0.1:1/elearning?connect_timeout=2"
    with pytest.raises(SystemExit) as stopped:
        create_app({"DATABASE_URL": url})
    message = str(stopped.value.code)
    assert message.startswith("elearning: cannot reach the database at postgresql+psycopg://app:***@127.0.0.1:1/")
    assert "s3cret" not in message
    assert "\n" not in message
