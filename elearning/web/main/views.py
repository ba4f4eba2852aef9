"""Start page, language switch and health check."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from threading import Lock

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers.response import Response as WerkzeugResponse

from ...catalog import current_catalog
from ...db import get_session
from ...i18n import SESSION_KEY, _
from ...services.accessibility import AuditFile, AuditState
from ...services.accounts import set_preferred_language
from ...services.errors import InvalidInput
from ...services.health import database_ok
from ..redirects import local_path
from .forms import LanguageForm

bp = Blueprint("main", __name__)

_audit_files: dict[str, AuditFile] = {}
_audit_lock = Lock()


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


@bp.get("/privacy")
def privacy() -> str:
    """What the platform stores, why, for how long and who sees it; public, in Dutch and English."""
    config = current_app.config
    return render_template(
        "main/privacy.html",
        retention_months=config["RETENTION_MONTHS"],
        idle_minutes=config["SESSION_IDLE_MINUTES"],
        max_hours=config["SESSION_MAX_HOURS"],
        reset_minutes=config["PASSWORD_RESET_MINUTES"],
        invitation_days=config["INVITATION_DAYS"],
        min_group=config["REPORT_MIN_GROUP"],
        xapi_actor=config["XAPI_ACTOR"] if current_app.extensions.get("xapi") else None,
    )


def _audit_state() -> AuditState:
    """The automated accessibility audit at ELEARNING_ACCESSIBILITY_AUDIT, read again only when the file changed."""
    path = str(current_app.config["ACCESSIBILITY_AUDIT"])
    with _audit_lock:
        audit_file = _audit_files.setdefault(path, AuditFile(Path(path)))
    return audit_file.state()


@bp.get("/accessibility")
def accessibility() -> str:
    """The accessibility statement in the Dutch model (EU Directive 2016/2102): public, in Dutch and English."""
    config = current_app.config
    state = _audit_state()
    configured = str(config["ACCESSIBILITY_STATEMENT_DATE"])
    statement_date = date.fromisoformat(configured) if configured else (state.audit.checked_on if state.audit else None)
    return render_template(
        "main/accessibility.html",
        organisation=config["ORGANISATION_NAME"],
        email=config["ACCESSIBILITY_EMAIL"],
        status=config["ACCESSIBILITY_STATUS"],
        statement_date=statement_date,
        site=config["BASE_URL"],
        state=state,
        problems=state.audit.known_problems() if state.audit else [],
    )


@bp.get("/leave")
def leave() -> Response | WerkzeugResponse:
    """Quick exit: a neutral page (or the address in ELEARNING_QUICK_EXIT_URL) that shows nothing of the learning."""
    target = current_app.config["QUICK_EXIT_URL"]
    if target:
        response: Response | WerkzeugResponse = redirect(target)
    else:
        response = make_response(render_template("main/leave.html"))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


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
    response = jsonify(body)
    response.headers["Content-Disposition"] = 'attachment; filename="healthz.json"'  # never rendered as a page
    return response, 200 if ok else 503
