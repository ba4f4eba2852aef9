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


def test_production_refuses_the_default_secret_key() -> None:
    config = from_env({"ELEARNING_ENV": "production"})
    assert config["SECRET_KEY"] == DEFAULT_SECRET_KEY
    with pytest.raises(StartupError, match="ELEARNING_SECRET_KEY"):
        check_production(config)


def test_production_refuses_debug() -> None:
    config = from_env({"ELEARNING_ENV": "production", "ELEARNING_SECRET_KEY": "x" * 40}) | {"DEBUG": True}
    with pytest.raises(StartupError, match="debug"):
        check_production(config)


def test_production_accepts_a_real_secret() -> None:
    check_production(from_env({"ELEARNING_ENV": "production", "ELEARNING_SECRET_KEY": "x" * 40}))


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
