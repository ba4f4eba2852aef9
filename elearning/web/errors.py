"""Friendly, translated error pages; service errors mapped to HTTP statuses."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..i18n import _
from ..services.errors import Forbidden, InvalidInput, NotFound


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("main/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            _("This form has expired"),
            _("The form was sent without a valid security token, for example because it was open for a long "
              "time. Go back, reload the page and try again. Nothing was saved."),
        )

    @app.errorhandler(NotFound)
    @app.errorhandler(404)
    def not_found(_exc: Exception) -> tuple[str, int]:
        return _page(404, _("Page not found"), _("We could not find this page. Check the address or go back to "
                                                 "the start page."))

    @app.errorhandler(Forbidden)
    @app.errorhandler(403)
    def forbidden(_exc: Exception) -> tuple[str, int]:
        return _page(403, _("No access"), _("You do not have access to this page. If you think you should, "
                                            "ask your HR department."))

    @app.errorhandler(InvalidInput)
    def invalid(exc: InvalidInput) -> tuple[str, int]:
        return _page(400, _("That did not work"), str(exc))

    @app.errorhandler(HTTPException)
    def other_http(exc: HTTPException) -> tuple[str, int]:
        status = exc.code or 500
        return _page(status, _("Something went wrong"), _("The request could not be processed (status %(status)s).",
                                                          status=status))
