"""Settings read from ELEARNING_* environment variables, with safe laptop defaults and a check for production."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from .mail import BACKENDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_GROUP_FLOOR = 5
# The compliance statuses of the Dutch model accessibility statement (digitoegankelijk.nl): A fully compliant,
# B partially compliant, C first measures taken, D no measures taken, E does not comply. The default is C: an
# automated audit is not the complete WCAG-EM research that A and B require.
ACCESSIBILITY_STATUSES = ("A", "B", "C", "D", "E")
# Written by the browser accessibility tests (see services/accessibility.py for its form).
DEFAULT_AUDIT = PROJECT_ROOT / "elearning" / "data" / "accessibility-audit.json"
DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - check_production refuses it  # nosec B105


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
    # Cookies go only over HTTPS everywhere but on a developer's laptop; __Host- pins them to this host and path /.
    secure_cookies = environment != "development"
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
        # PostgreSQL connection pool per worker process (docs/operations.md#connection-pool): connections kept open,
        # extra ones allowed under load, seconds a request waits for a free one before it gets 503, seconds to wait
        # for the server to accept a connection, seconds after which a connection is replaced, and whether psycopg
        # may prepare statements on the server (off behind a PgBouncer older than 1.21 in transaction mode).
        "DB_POOL_SIZE": int(env.get("ELEARNING_DB_POOL_SIZE", "5")),
        "DB_MAX_OVERFLOW": int(env.get("ELEARNING_DB_MAX_OVERFLOW", "10")),
        "DB_POOL_TIMEOUT": float(env.get("ELEARNING_DB_POOL_TIMEOUT", "10")),
        "DB_CONNECT_TIMEOUT": int(env.get("ELEARNING_DB_CONNECT_TIMEOUT", "5")),
        "DB_POOL_RECYCLE": int(env.get("ELEARNING_DB_POOL_RECYCLE", "1800")),
        "DB_PREPARED_STATEMENTS": _bool(env.get("ELEARNING_DB_PREPARED_STATEMENTS"), True),
        "SESSION_COOKIE_NAME": "__Host-session" if secure_cookies else "session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        # Addresses the app makes itself (url_for with _external outside a request) start with https:// too.
        "PREFERRED_URL_SCHEME": "https" if secure_cookies else "http",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Server-side login sessions end after this long without a request, and this long after login in any case.
        "SESSION_IDLE_MINUTES": int(env.get("ELEARNING_SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(env.get("ELEARNING_SESSION_MAX_HOURS", "12")),
        # Failed logins before a temporary lock (per e-mail address; per IP address, generous for shared offices);
        # the lock starts at LOGIN_LOCK_MINUTES and doubles with every further failure up to the maximum.
        "LOGIN_ACCOUNT_FAILURES": int(env.get("ELEARNING_LOGIN_ACCOUNT_FAILURES", "5")),
        "LOGIN_ADDRESS_FAILURES": int(env.get("ELEARNING_LOGIN_ADDRESS_FAILURES", "50")),
        "LOGIN_LOCK_MINUTES": int(env.get("ELEARNING_LOGIN_LOCK_MINUTES", "1")),
        "LOGIN_LOCK_MAX_MINUTES": int(env.get("ELEARNING_LOGIN_LOCK_MAX_MINUTES", "60")),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none, direct traffic).
        "TRUSTED_PROXIES": int(env.get("ELEARNING_TRUSTED_PROXIES", "0")),
        # People who left are anonymised this many months after leaving (`flask privacy retention`).
        "RETENTION_MONTHS": int(env.get("ELEARNING_RETENTION_MONTHS", "24")),
        # The whole request, so also an uploaded roster; larger requests get 413.
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        # Links in e-mails sent outside a request (reminders from cron) start with this.
        "BASE_URL": env.get("ELEARNING_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_BACKEND": env.get("ELEARNING_MAIL_BACKEND", "console"),
        "MAIL_FROM": env.get("ELEARNING_MAIL_FROM", "e-learning@example.org"),
        "SMTP_HOST": env.get("ELEARNING_SMTP_HOST", "localhost"),
        "SMTP_PORT": int(env.get("ELEARNING_SMTP_PORT", "587")),
        "SMTP_USERNAME": env.get("ELEARNING_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("ELEARNING_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env.get("ELEARNING_SMTP_STARTTLS"), True),
        "INVITATION_DAYS": int(env.get("ELEARNING_INVITATION_DAYS", "14")),
        "PASSWORD_RESET_MINUTES": int(env.get("ELEARNING_PASSWORD_RESET_MINUTES", "60")),
        # Where "leave this page" goes: a neutral address such as the intranet's home page; empty: a blank page.
        "QUICK_EXIT_URL": env.get("ELEARNING_QUICK_EXIT_URL", ""),
        # Report cells about fewer people than this are hidden (never below MIN_GROUP_FLOOR).
        "REPORT_MIN_GROUP": int(env.get("ELEARNING_REPORT_MIN_GROUP", "10")),
        # The accessibility statement (/accessibility): who publishes it, where people send problems, its date and
        # compliance status (A-E, the Dutch model), and the automated audit the browser tests write.
        "ORGANISATION_NAME": env.get("ELEARNING_ORGANISATION_NAME", "Rijksoverheid").strip() or "Rijksoverheid",
        "ACCESSIBILITY_EMAIL": env.get("ELEARNING_ACCESSIBILITY_EMAIL", "")
        or env.get("ELEARNING_MAIL_FROM", "e-learning@example.org"),
        "ACCESSIBILITY_STATEMENT_DATE": env.get("ELEARNING_ACCESSIBILITY_STATEMENT_DATE", "").strip(),
        "ACCESSIBILITY_STATUS": env.get("ELEARNING_ACCESSIBILITY_STATUS", "C").strip().upper(),
        "ACCESSIBILITY_AUDIT": str(Path(env.get("ELEARNING_ACCESSIBILITY_AUDIT", DEFAULT_AUDIT))),
        # The departmental report counts the people reached by this module apart (the bystander training).
        "BYSTANDER_MODULE": env.get("ELEARNING_BYSTANDER_MODULE", "b-omstander"),
        # xAPI statements to a learning record store (docs/integrations.md): queued with the learner's write, sent
        # by `flask xapi send`. Off unless switched on.
        "XAPI_ENABLED": _bool(env.get("ELEARNING_XAPI_ENABLED"), False),
        "XAPI_ENDPOINT": env.get("ELEARNING_XAPI_ENDPOINT", ""),
        "XAPI_KEY": env.get("ELEARNING_XAPI_KEY", ""),
        "XAPI_SECRET": env.get("ELEARNING_XAPI_SECRET", ""),
        # account: a pseudonym per person (HMAC of the person id with XAPI_ACTOR_KEY); mbox: the e-mail address.
        "XAPI_ACTOR": env.get("ELEARNING_XAPI_ACTOR", "account"),
        "XAPI_ACTOR_KEY": env.get("ELEARNING_XAPI_ACTOR_KEY", ""),
        "XAPI_BATCH_SIZE": int(env.get("ELEARNING_XAPI_BATCH_SIZE", "50")),
        "XAPI_TIMEOUT_SECONDS": float(env.get("ELEARNING_XAPI_TIMEOUT_SECONDS", "10")),
        "XAPI_MAX_ATTEMPTS": int(env.get("ELEARNING_XAPI_MAX_ATTEMPTS", "15")),
        **_integrations(env, instance),
    }


PASSWORD_LOGIN_EVERYONE = "everyone"  # noqa: S105 - a setting's value, not a password  # nosec B105
PASSWORD_LOGIN_ADMINS = "admins"  # noqa: S105 - a setting's value, not a password  # nosec B105
PASSWORD_LOGIN_CHOICES = (PASSWORD_LOGIN_EVERYONE, PASSWORD_LOGIN_ADMINS)
LTI_PERSON_MATCH_CHOICES = ("email", "employee_number")


def _integrations(env: Mapping[str, str], instance: Path) -> dict[str, Any]:
    """Single sign-on (OpenID Connect) and LTI 1.3 settings; see docs/integrations.md."""
    issuer = env.get("ELEARNING_OIDC_ISSUER", "").strip().rstrip("/")
    return {
        # Single sign-on is on when an issuer is set; its discovery document is read at the first SSO login.
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": env.get("ELEARNING_OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": env.get("ELEARNING_OIDC_CLIENT_SECRET", ""),
        "OIDC_SCOPES": env.get("ELEARNING_OIDC_SCOPES", "openid email profile"),
        # The ID token claims that carry the roster's employee number, the e-mail address (a fallback for people
        # without an employee number, such as administrators), the organisation code (checked against the
        # roster, logged when they differ) and the language (sets the person's language); empty: not used.
        "OIDC_EMPLOYEE_NUMBER_CLAIM": env.get("ELEARNING_OIDC_EMPLOYEE_NUMBER_CLAIM", "employee_number"),
        "OIDC_EMAIL_CLAIM": env.get("ELEARNING_OIDC_EMAIL_CLAIM", "email"),
        "OIDC_ORGANISATION_CLAIM": env.get("ELEARNING_OIDC_ORGANISATION_CLAIM", "organisation_code"),
        "OIDC_LANGUAGE_CLAIM": env.get("ELEARNING_OIDC_LANGUAGE_CLAIM", "locale"),
        # Who may still log in with a password: everyone, or (the default when single sign-on is on) admins only.
        "PASSWORD_LOGIN": env.get(
            "ELEARNING_PASSWORD_LOGIN", PASSWORD_LOGIN_ADMINS if issuer else PASSWORD_LOGIN_EVERYONE
        )
        .strip()
        .lower(),
        # The tool's RSA key for LTI (signs AGS token requests; its public half is served at /lti/jwks).
        "LTI_KEY_FILE": str(Path(env.get("ELEARNING_LTI_KEY_FILE", instance / "lti-tool-key.pem")).resolve()),
        # How an LTI launch finds the person: the launch's e-mail claim, or a custom parameter with the
        # employee number (its name in ELEARNING_LTI_EMPLOYEE_NUMBER_PARAMETER).
        "LTI_PERSON_MATCH": env.get("ELEARNING_LTI_PERSON_MATCH", "email").strip().lower(),
        "LTI_EMPLOYEE_NUMBER_PARAMETER": env.get("ELEARNING_LTI_EMPLOYEE_NUMBER_PARAMETER", "employee_number"),
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
    if int(config["REPORT_MIN_GROUP"]) < MIN_GROUP_FLOOR:
        raise StartupError(
            f"ELEARNING_REPORT_MIN_GROUP={config['REPORT_MIN_GROUP']} is too small; reports hide groups of fewer than "
            f"{MIN_GROUP_FLOOR} people at least"
        )
    if config["MAIL_BACKEND"] not in BACKENDS:
        raise StartupError(
            f"ELEARNING_MAIL_BACKEND={config['MAIL_BACKEND']!r} is unknown; use one of {', '.join(BACKENDS)}"
        )
    for name in (
        "SESSION_IDLE_MINUTES",
        "SESSION_MAX_HOURS",
        "LOGIN_ACCOUNT_FAILURES",
        "LOGIN_ADDRESS_FAILURES",
        "LOGIN_LOCK_MINUTES",
        "LOGIN_LOCK_MAX_MINUTES",
        "RETENTION_MONTHS",
    ):
        if int(config[name]) < 1:
            raise StartupError(f"ELEARNING_{name} must be a whole number of at least 1, not {config[name]!r}")
    _check_integrations(config)
    if str(config["ACCESSIBILITY_STATUS"]) not in ACCESSIBILITY_STATUSES:
        raise StartupError(
            f"ELEARNING_ACCESSIBILITY_STATUS={config['ACCESSIBILITY_STATUS']!r} is not a compliance status; use one of "
            f"{', '.join(ACCESSIBILITY_STATUSES)} (the Dutch model statement)"
        )
    if config["ACCESSIBILITY_STATEMENT_DATE"]:
        try:
            date.fromisoformat(str(config["ACCESSIBILITY_STATEMENT_DATE"]))
        except ValueError:
            raise StartupError(
                f"ELEARNING_ACCESSIBILITY_STATEMENT_DATE={config['ACCESSIBILITY_STATEMENT_DATE']!r} is not a date; "
                "write YYYY-MM-DD"
            ) from None
    _check_xapi(config)
    for name in ("DB_POOL_SIZE", "DB_POOL_TIMEOUT", "DB_CONNECT_TIMEOUT", "DB_POOL_RECYCLE"):
        if float(config[name]) <= 0:
            raise StartupError(f"ELEARNING_{name} must be more than 0, not {config[name]!r}")
    if int(config["DB_MAX_OVERFLOW"]) < 0:
        raise StartupError("ELEARNING_DB_MAX_OVERFLOW must be 0 or more (extra connections under load)")
    if int(config["TRUSTED_PROXIES"]) < 0:
        raise StartupError("ELEARNING_TRUSTED_PROXIES must be 0 or more (the number of proxies in front of the app)")
    if config["ENV_NAME"] != "production":
        return
    if config["SECRET_KEY"] == DEFAULT_SECRET_KEY or len(str(config["SECRET_KEY"])) < 32:
        raise StartupError("set ELEARNING_SECRET_KEY to a random value of at least 32 characters in production")
    if config.get("DEBUG"):
        raise StartupError("debug mode is on in production; unset FLASK_DEBUG")
    if config["MAIL_BACKEND"] != "smtp":
        raise StartupError("set ELEARNING_MAIL_BACKEND=smtp (and ELEARNING_SMTP_HOST) in production")
    if config.get("WTF_CSRF_ENABLED", True) is not True or config.get("WTF_CSRF_SSL_STRICT", True) is not True:
        raise StartupError("CSRF protection (WTF_CSRF_ENABLED, WTF_CSRF_SSL_STRICT) must stay on in production")
    check_https(config)
    check_backend_tls(config)


LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})


def check_backend_tls(config: Mapping[str, Any]) -> None:
    """Production talks to a database or mail relay on another machine over verified TLS only."""
    url = make_url(str(config["DATABASE_URL"]))
    host = url.host or str(url.query.get("host") or "")  # libpq also takes the host as a parameter
    remote_database = url.get_backend_name() == "postgresql" and host not in LOCAL_HOSTS and not host.startswith("/")
    if remote_database and url.query.get("sslmode") not in ("verify-full", "verify-ca"):
        raise StartupError(
            "add ?sslmode=verify-full to ELEARNING_DATABASE_URL in production: the database is on another machine "
            "and its connection must be encrypted and its certificate checked"
        )
    if config["MAIL_BACKEND"] == "smtp" and str(config["SMTP_HOST"]) not in LOCAL_HOSTS and not config["SMTP_STARTTLS"]:
        raise StartupError(
            "set ELEARNING_SMTP_STARTTLS=true in production: the mail relay is on another machine and mails carry "
            "one-time links"
        )


def check_https(config: Mapping[str, Any]) -> None:
    """Production is served over HTTPS only: its address, its cookies and the addresses it makes itself."""
    if not str(config["BASE_URL"]).startswith("https://"):
        raise StartupError(
            "set ELEARNING_BASE_URL to the https:// address people use in production (links in e-mails, and where "
            "plain-HTTP requests are sent)"
        )
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if config.get(name) is not True:
            raise StartupError(f"{name} must be on in production: cookies go over HTTPS only (ELEARNING_ENV)")
    if config.get("PREFERRED_URL_SCHEME") != "https":
        raise StartupError("PREFERRED_URL_SCHEME must be https in production (ELEARNING_ENV)")
    if config["OIDC_ISSUER"] and not str(config["OIDC_ISSUER"]).startswith("https://"):
        raise StartupError("ELEARNING_OIDC_ISSUER must be an https:// address in production")


def _check_integrations(config: Mapping[str, Any]) -> None:
    """Single sign-on needs its client id and secret; the choice settings take one of their values."""
    if config["OIDC_ISSUER"] and not (config["OIDC_CLIENT_ID"] and config["OIDC_CLIENT_SECRET"]):
        raise StartupError(
            "ELEARNING_OIDC_ISSUER is set: set ELEARNING_OIDC_CLIENT_ID and ELEARNING_OIDC_CLIENT_SECRET too"
        )
    if config["PASSWORD_LOGIN"] not in PASSWORD_LOGIN_CHOICES:
        raise StartupError(
            f"ELEARNING_PASSWORD_LOGIN={config['PASSWORD_LOGIN']!r} is unknown; use one of "
            + ", ".join(PASSWORD_LOGIN_CHOICES)
        )
    if config["PASSWORD_LOGIN"] == PASSWORD_LOGIN_ADMINS and not config["OIDC_ISSUER"]:
        raise StartupError(
            "ELEARNING_PASSWORD_LOGIN=admins needs single sign-on for everyone else (ELEARNING_OIDC_ISSUER)"
        )
    if config["LTI_PERSON_MATCH"] not in LTI_PERSON_MATCH_CHOICES:
        raise StartupError(
            f"ELEARNING_LTI_PERSON_MATCH={config['LTI_PERSON_MATCH']!r} is unknown; use one of "
            + ", ".join(LTI_PERSON_MATCH_CHOICES)
        )


XAPI_ACTORS = ("account", "mbox")
MIN_XAPI_ACTOR_KEY = 32


def _check_xapi(config: Mapping[str, Any]) -> None:
    """xAPI settings: checked whenever xAPI is on; in production also HTTPS, credentials and a pseudonym key."""
    if config["XAPI_ACTOR"] not in XAPI_ACTORS:
        raise StartupError(f"ELEARNING_XAPI_ACTOR={config['XAPI_ACTOR']!r} is unknown; use account or mbox")
    if not config["XAPI_ENABLED"]:
        return
    endpoint = str(config["XAPI_ENDPOINT"])
    if not endpoint.startswith(("https://", "http://", "file://")):
        raise StartupError(
            "set ELEARNING_XAPI_ENDPOINT to the learning record store's xAPI address (https://…), "
            "or switch xAPI off (ELEARNING_XAPI_ENABLED=0)"
        )
    if not 1 <= int(config["XAPI_BATCH_SIZE"]) <= 500:
        raise StartupError("ELEARNING_XAPI_BATCH_SIZE must be between 1 and 500")
    if int(config["XAPI_MAX_ATTEMPTS"]) < 1 or float(config["XAPI_TIMEOUT_SECONDS"]) <= 0:
        raise StartupError("ELEARNING_XAPI_MAX_ATTEMPTS and ELEARNING_XAPI_TIMEOUT_SECONDS must be positive")
    if config["ENV_NAME"] != "production":
        return
    if not endpoint.startswith("https://"):
        raise StartupError("ELEARNING_XAPI_ENDPOINT must be an https:// address in production")
    if not config["XAPI_KEY"] or not config["XAPI_SECRET"]:
        raise StartupError("set ELEARNING_XAPI_KEY and ELEARNING_XAPI_SECRET (the store's credentials) in production")
    if config["XAPI_ACTOR"] == "account" and len(str(config["XAPI_ACTOR_KEY"])) < MIN_XAPI_ACTOR_KEY:
        raise StartupError(
            f"set ELEARNING_XAPI_ACTOR_KEY to a random value of at least {MIN_XAPI_ACTOR_KEY} characters in "
            "production: it turns person ids into the pseudonyms the store sees"
        )
