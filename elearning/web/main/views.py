"""Start page, language switch and health check."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers.response import Response as WerkzeugResponse

from ...catalog import current_catalog
from ...db import get_session
from ...i18n import SESSION_KEY, _
from ...services.accounts import set_preferred_language
from ...services.errors import InvalidInput
from ...services.health import database_ok
from ..redirects import local_path
from .forms import LanguageForm

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> WerkzeugResponse:
    """Send people to their learning, or to the login page."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.dashboard"))
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> WerkzeugResponse:
    """Switch the interface language for this session and, when logged in, for the account."""
    form = LanguageForm()
    if not form.validate_on_submit():
        raise InvalidInput(_("Unknown language: %(language)s", language=request.form.get("language", "")))
    session[SESSION_KEY] = form.language.data
    if current_user.is_authenticated:
        db_session = get_session()
        set_preferred_language(current_user, form.language.data, current_app.config["LANGUAGES"])
        db_session.commit()
    return redirect(local_path(form.next.data) or url_for("main.index"))


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """For load balancers: is the database reachable, and which content version is served."""
    catalog = current_catalog()
    ok = database_ok(get_session())
    body = {
        "status": "ok" if ok else "error",
        "database": "ok" if ok else "unreachable",
        "content_version": catalog.version,
        "modules": len(catalog.modules),
        "content_errors": len(catalog.errors),
    }
    return jsonify(body), 200 if ok else 503


@bp.app_context_processor
def language_form() -> dict[str, object]:
    return {"language_form": LanguageForm(formdata=None, next=request.full_path.rstrip("?"))}
