"""Anyone holding a certificate can check its code here, without logging in."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale

from ...catalog import current_catalog
from ...db import get_session
from ...services.certificates import normalise_code, verify

bp = Blueprint("verify", __name__, url_prefix="/verify")


@bp.get("/<code>")
def show(code: str) -> tuple[str, int]:
    """Confirm a certificate by name, module and date only; an unknown code is a 404 page."""
    lang = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    found = verify(get_session(), current_catalog(), code, lang)
    if found is None:
        return render_template("verify/not_found.html", code=normalise_code(code)[:32]), 404
    return render_template("verify/show.html", certificate=found), 200
