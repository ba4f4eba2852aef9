"""Login sessions on the web: begun at login, ended at logout, and checked in the one query that loads the person.

The signed Flask cookie carries the person's id and a random login-session token. `load_user` joins the
`login_session` row of that token into the prebuilt statement that loads the person with their roles, so checking
the session costs no extra database round trip. Its last-seen time is written at most once per touch interval (a few
minutes), in a short transaction of its own, so that a GET that commits nothing still keeps its session alive.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, flash, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.orm import joinedload

from ..db import get_session
from ..extensions import login_manager
from ..i18n import SESSION_KEY as LANGUAGE_KEY
from ..i18n import _l
from ..models import LoginSession, Person, utcnow
from ..services import login_sessions
from ..services.login_sessions import SessionPolicy, SessionState

TOKEN_KEY = "login_session"  # noqa: S105 - the key of the token in the signed Flask session cookie  # nosec B105
FLASK_LOGIN_KEYS = ("_user_id", "_fresh", "_id", TOKEN_KEY)

# Built once: the person, with their roles, and the login session of this cookie, in one query.
_PERSON_IN_SESSION = (
    select(Person, LoginSession.id, LoginSession.created_at, LoginSession.last_seen_at)
    .join(LoginSession, LoginSession.person_id == Person.id)
    .options(joinedload(Person.roles))
    .where(Person.id == bindparam("person_id"), LoginSession.token_hash == bindparam("token_hash"))
)
_TOUCH = update(LoginSession).where(LoginSession.id == bindparam("session_id")).values(last_seen_at=bindparam("now"))
_END = delete(LoginSession).where(LoginSession.id == bindparam("session_id"))


def policy() -> SessionPolicy:
    policy: SessionPolicy = current_app.extensions["session_policy"]
    return policy


def current_session_id() -> int | None:
    """The id of this request's login session (None when nobody is logged in)."""
    _ = current_user.is_authenticated  # loads the user (and so the session) if that has not happened yet
    return g.get("login_session_id")


def begin(person: Person) -> None:
    """Log `person` in with a new login session and a fresh cookie (against session fixation); the caller commits.

    Only the chosen interface language survives from the session before login.
    """
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language
    row, token = login_sessions.start(get_session(), person.id, utcnow(), policy())
    session[TOKEN_KEY] = token
    g.login_session_id = row.id
    login_user(person)


def end() -> None:
    """End this browser's session on the server and in the cookie (logout); the caller commits."""
    token = session.get(TOKEN_KEY)
    if isinstance(token, str):
        login_sessions.end(get_session(), token)
    logout_user()
    session.clear()
    g.pop("login_session_id", None)


def _write_apart(statement: Any, params: dict[str, Any]) -> None:
    """A tiny write in its own transaction: it must not wait for, nor commit, whatever the view does.

    Losing it in a database crash costs nothing (the session merely ends a little early), so PostgreSQL need not
    wait for the WAL flush.
    """
    with current_app.extensions["db_engine"].begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
        connection.execute(statement, params)


def _forget_login() -> None:
    for key in FLASK_LOGIN_KEYS:
        session.pop(key, None)


@login_manager.user_loader
def load_user(user_id: str) -> Person | None:
    """The logged-in person, if the account is active and this cookie's login session has not ended or timed out."""
    token = session.get(TOKEN_KEY)
    if not user_id.isdigit() or not isinstance(token, str):
        _forget_login()
        return None
    params = {"person_id": int(user_id), "token_hash": login_sessions.token_hash(token)}
    row = get_session().execute(_PERSON_IN_SESSION, params).unique().one_or_none()
    if row is None:  # logged out elsewhere, ended by a password or role change, or purged
        _forget_login()
        return None
    person, session_id, created_at, last_seen_at = row
    if not person.active:
        _forget_login()
        return None
    now = utcnow()
    found = login_sessions.state(created_at, last_seen_at, now, policy())
    if found is SessionState.EXPIRED:
        _write_apart(_END, {"session_id": session_id})
        _forget_login()
        # Lazy: the language is chosen from current_user, which is being loaded right now.
        flash(_l("You were logged out because your session ended. Please log in again."), "info")
        return None
    if found is SessionState.TOUCH:
        _write_apart(_TOUCH, {"session_id": session_id, "now": now})
    g.login_session_id = session_id
    return person


def _load_user_first() -> None:
    """Load the person before the view runs, so that a session write never lands in the middle of the view's work."""
    if request.endpoint != "static":
        _ = current_user.is_authenticated


def register(app: Flask) -> None:
    app.extensions["session_policy"] = SessionPolicy.from_config(
        app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_MAX_HOURS"]
    )
    app.before_request(_load_user_first)


login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
