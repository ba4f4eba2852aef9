"""HR's pages: completion of the modules within the organisation subtrees HR is responsible for."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from ...catalog import current_catalog
from ...db import get_session
from ...services.reporting import completion_report

bp = Blueprint("hr", __name__, url_prefix="/hr")


@bp.before_request
@login_required
def _require_login() -> None:
    """HR pages need a logged-in person; the service decides on the scope."""


@bp.get("/")
def completion() -> str:
    """Completion per module for one unit and its whole subtree (default: the first unit in scope)."""
    unit_id = request.args.get("unit", type=int)
    report = completion_report(get_session(), current_catalog(), current_user, unit_id)
    return render_template(
        "hr/completion.html",
        report=report,
        catalog=current_catalog(),
        lang=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
    )
