"""Settings read from ELEARNING_* environment variables, with safe laptop defaults and a check for production."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - refused in production by check_production


class StartupError(SystemExit):
    """A setting or service that stops the app from starting; printed as one line, without a traceback."""

    def __init__(self, message: str):
        super().__init__(f"elearning: {message}")


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    env = os.environ if environ is None else environ
    instance = Path(env.get("ELEARNING_INSTANCE_DIR", PROJECT_ROOT / "instance")).resolve()
    environment = env.get("ELEARNING_ENV", "development")
    return {
        "ENV_NAME": environment,
        "SECRET_KEY": env.get("ELEARNING_SECRET_KEY", DEFAULT_SECRET_KEY),
        "DATABASE_URL": env.get("ELEARNING_DATABASE_URL", f"sqlite:///{instance / 'elearning.db'}"),
        "SQLITE_JOURNAL_MODE": env.get("ELEARNING_SQLITE_JOURNAL_MODE", "WAL").upper(),
        "WORKERS": int(env.get("ELEARNING_WORKERS", "1")),
        "INSTANCE_DIR": str(instance),
        "CONTENT_DIR": str(Path(env.get("ELEARNING_CONTENT_DIR", PROJECT_ROOT / "content" / "modules")).resolve()),
        "CONTENT_RELOAD": _bool(env.get("ELEARNING_CONTENT_RELOAD"), False),
        "BABEL_DEFAULT_LOCALE": env.get("ELEARNING_DEFAULT_LOCALE", "nl"),
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "translations"),
        "LANGUAGES": ("nl", "en"),
        "CHECK_DATABASE_ON_START": _bool(env.get("ELEARNING_CHECK_DATABASE"), True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": environment == "production",
        "REMEMBER_COOKIE_SECURE": environment == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
    }


def safe_url(url: str) -> str:
    """The database URL as it may be shown to a person or a log: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as its scheme only
        return url.split(":", 1)[0] + ":<unparsable URL>"


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to start with a setting that is unsafe outside a laptop, naming the variable to fix."""
    url = str(config["DATABASE_URL"])
    sqlite = url.startswith("sqlite")
    if sqlite and config["WORKERS"] > 1 and config["SQLITE_JOURNAL_MODE"] != "WAL":
        raise StartupError(
            f"SQLite with {config['WORKERS']} workers needs WAL journal mode; "
            "unset ELEARNING_SQLITE_JOURNAL_MODE or use PostgreSQL (ELEARNING_DATABASE_URL)"
        )
    if config["ENV_NAME"] != "production":
        return
    if config["SECRET_KEY"] == DEFAULT_SECRET_KEY or len(str(config["SECRET_KEY"])) < 32:
        raise StartupError("set ELEARNING_SECRET_KEY to a random value of at least 32 characters in production")
    if config.get("DEBUG"):
        raise StartupError("debug mode is on in production; unset FLASK_DEBUG")
