"""Managers: the completion of their own team."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale
from flask_login import current_user, login_required

from ...catalog import current_catalog
from ...db import get_session
from ...services.team import team_overview

bp = Blueprint("team", __name__, url_prefix="/team")


@bp.before_request
@login_required
def _require_login() -> None:
    """Team pages need a logged-in person; the team service decides who is a manager of which unit."""


@bp.get("/")
def index() -> str:
    """The people of the units I manage, each with the status and due date of their assignments."""
    units = team_overview(get_session(), current_user, date.today())
    return render_template(
        "team/index.html",
        units=units,
        catalog=current_catalog(),
        lang=str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
    )
