"""Friendly, translated error pages; service errors mapped to HTTP statuses; refusals and crashes logged.

The log names the route (endpoint) and the person's id, never the path (it may hold a token), a name or an address.
"""

from __future__ import annotations

import logging
import secrets

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from ..db import discard_session
from ..extensions import login_manager
from ..i18n import _
from ..services.errors import Forbidden, InvalidInput, NotFound

log = logging.getLogger(__name__)
# Seconds a client is asked to wait after the database was unreachable: about as long as a PostgreSQL restart takes.
RETRY_AFTER_SECONDS = 5


def _page(status: int, title: str, message: str, reference: str | None = None) -> tuple[str, int]:
    page = render_template("main/error.html", status=status, title=title, message=message, reference=reference)
    return page, status


def _refused(what: str) -> None:
    """One log line for a refused request: what, which route, by whom (a person id, if loaded before it failed)."""
    user = g.get("_login_user")  # not loaded here: after a database error that would only fail again
    who = "anonymous" if user is not None and not user.is_authenticated else "a person not yet known"
    if user is not None and user.is_authenticated:
        who = f"person {user.id}"
    log.warning("%s: %s %s by %s", what, request.method, request.endpoint or "unknown route", who)


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError) -> tuple[str, int]:
        _refused("refused without a valid CSRF token")
        return _page(
            400,
            _("This form has expired"),
            _(
                "The form was sent without a valid security token, for example because it was open for a long "
                "time. Go back, reload the page and try again. Nothing was saved."
            ),
        )

    @app.errorhandler(NotFound)
    @app.errorhandler(404)
    def not_found(exc: Exception) -> tuple[str, int]:
        if isinstance(exc, NotFound):  # a service found no such object, or none this person may see
            _refused("no such object for this person")
        return _page(
            404, _("Page not found"), _("We could not find this page. Check the address or go back to the start page.")
        )

    @app.errorhandler(Forbidden)
    @app.errorhandler(403)
    def forbidden(_exc: Exception) -> tuple[str, int]:
        _refused("access denied")
        return _page(
            403,
            _("No access"),
            _("You do not have access to this page. If you think you should, ask your HR department."),
        )

    @app.errorhandler(InvalidInput)
    def invalid(exc: InvalidInput) -> tuple[str, int]:
        _refused("input refused")  # not the message: it may repeat what was typed
        return _page(400, _("That did not work"), str(exc))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def database_unavailable(exc: Exception) -> tuple[str, int, dict[str, str]]:
        # The database is restarting, unreachable or busy (every pooled connection in use). Unless its commit went
        # through just before, nothing of this request was stored; sending it again is safe (learner writes are
        # idempotent). The log names the error's class only: its text may quote the statement's parameters.
        discard_session()
        _refused(f"database unavailable ({type(getattr(exc, 'orig', None) or exc).__name__})")
        g._login_user = login_manager.anonymous_user()  # the page must not ask the database who is logged in
        page, status = _page(
            503,
            _("Temporarily unavailable"),
            _(
                "The service cannot reach its database at the moment, so your last step may not have been saved. "
                "Wait a few seconds and try again: doing it again is safe."
            ),
        )
        return page, status, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}

    @app.errorhandler(InternalServerError)
    def crashed(_exc: InternalServerError) -> tuple[str, int]:
        # Flask has logged the traceback just before; the reference ties the person's report to it.
        reference = secrets.token_hex(4)
        _refused(f"unexpected error, reference {reference}")
        return _page(
            500,
            _("Something went wrong"),
            _("Something went wrong on our side; nothing was saved. Try again later."),
            reference=reference,
        )

    @app.errorhandler(HTTPException)
    def other_http(exc: HTTPException) -> tuple[str, int, list[tuple[str, str]]]:
        status = exc.code or 500
        if status == 405:  # a method the route does not take: a probe, not a person following a link
            _refused("method not allowed")
        page, status = _page(
            status,
            _("Something went wrong"),
            _("The request could not be processed (status %(status)s).", status=status),
        )
        return page, status, [(name, value) for name, value in exc.get_headers() if name == "Allow"]
