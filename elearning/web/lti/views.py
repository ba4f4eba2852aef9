"""LTI 1.3: an LMS (Moodle, Canvas, Brightspace…) launches a module; the learner gets a login session here.

The two POST endpoints are exempt from our CSRF token: the LMS's form posts them, cross-site, and they carry the
protocol's own protection instead: the state (in the browser's cookie and bound to the nonce on the server), the
single-use nonce and the signed id_token (services/lti/launch.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response

from ...catalog import current_catalog
from ...db import get_session
from ...extensions import csrf
from ...i18n import SESSION_KEY as LANGUAGE_KEY
from ...i18n import _
from ...models import utcnow
from ...services.lti import links, tool_key
from ...services.lti.launch import NONCE_LIFETIME, LaunchRefused, begin_login, validate_launch
from ...services.lti.platform_keys import PlatformKeys
from ...services.sso import language_of
from .. import sessions

bp = Blueprint("lti", __name__, url_prefix="/lti")
log = logging.getLogger(__name__)
KEYS_EXTENSION = "lti_platform_keys"


def register(app: Flask) -> None:
    """The per-process cache of the platforms' key sets."""
    app.extensions[KEYS_EXTENSION] = PlatformKeys()


def _state_cookie() -> str:
    """Outside development the cookie is Secure, so it may be sent on the LMS's cross-site POST (SameSite=None)."""
    return "__Host-lti-state" if current_app.config["SESSION_COOKIE_SECURE"] else "lti-state"


def _messages() -> dict[str, tuple[str, int]]:
    again = _("Start the activity in the LMS again.")
    ask = _("If this keeps happening, tell the LMS's administrator the time of this attempt.")
    return {
        "incomplete_login": (_("The LMS started the launch without the details LTI 1.3 needs.") + " " + ask, 400),
        "unknown_platform": (
            _("This LMS is not registered with the platform, or its registration is switched off.") + " " + ask,
            400,
        ),
        "deployment": (_("This deployment of the tool in the LMS is not registered.") + " " + ask, 400),
        "incomplete_launch": (_("The launch was incomplete.") + " " + again, 400),
        "malformed": (_("The launch could not be read.") + " " + ask, 400),
        "browser": (
            _(
                "Your browser did not keep the cookie of this launch. Start the activity in the LMS again, "
                "in a new window."
            ),
            400,
        ),
        "signature": (_("The launch could not be verified: it was not signed with the LMS's registered key."), 400),
        "keys_unavailable": (_("The LMS's public keys could not be fetched. Try again in a few minutes."), 502),
        "expired": (_("The launch has expired.") + " " + again, 400),
        "audience": (_("The launch was meant for another tool.") + " " + ask, 400),
        "claims": (_("The launch lacks information the platform needs.") + " " + ask, 400),
        "replay": (_("This launch was already used.") + " " + again, 400),
        "state": (_("This launch does not belong to a login started here, or it took too long.") + " " + again, 400),
        "message_type": (_("Only LTI 1.3 resource link launches are supported.") + " " + ask, 400),
        "no_identity": (
            _("The LMS did not say who you are (no e-mail address or employee number).") + " " + ask,
            403,
        ),
        "unknown_person": (
            _("You are not on this platform's HR roster. If you started recently, ask your HR department."),
            403,
        ),
        "inactive": (
            _("Your account on this platform is no longer active. If you think this is wrong, ask your HR department."),
            403,
        ),
        "no_module": (_("The activity in the LMS does not say which module to open.") + " " + ask, 400),
        "unknown_module": (_("The module this activity points to does not exist, or is not meant for you."), 404),
    }


def _problem(reason: str) -> tuple[str, int]:
    message, status = _messages()[reason]
    log.warning("LTI launch refused: %s", reason)
    return render_template("lti/problem.html", message=message), status


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt  # the LMS posts this cross-site; it starts nothing but a state and a nonce (see the module docstring)
def login() -> Response | tuple[str, int]:
    """Third-party initiated login: remember a state and a nonce, send the browser to the LMS's auth endpoint."""
    db_session = get_session()
    now = utcnow()
    launch_url = current_app.config["BASE_URL"] + url_for("lti.launch")
    try:
        target = begin_login(db_session, request.values, launch_url, now)
    except LaunchRefused as refused:
        return _problem(refused.reason)
    db_session.commit()
    response = redirect(target.url)
    secure = bool(current_app.config["SESSION_COOKIE_SECURE"])
    response.set_cookie(
        _state_cookie(),
        target.state,
        max_age=int(NONCE_LIFETIME.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
    )
    return response


def slug_from_target(target_link_uri: str) -> str | None:
    """The module slug in a target link such as https://…/learn/basis/ (any page of the module will do)."""
    path = urlsplit(target_link_uri).path
    try:
        _endpoint, arguments = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    slug = arguments.get("module_slug")
    return str(slug) if slug else None


@bp.post("/launch")
@csrf.exempt  # the LMS posts the id_token cross-site; state, nonce and signature protect it (see the module docstring)
def launch() -> Response | tuple[str, int]:
    """The LMS's signed launch: check it, find the person and the module, log them in and open the module."""
    config = current_app.config
    db_session = get_session()
    now = utcnow()
    match = links.PersonMatch(config["LTI_PERSON_MATCH"], config["LTI_EMPLOYEE_NUMBER_PARAMETER"])
    try:
        found = validate_launch(
            db_session,
            request.form.get("id_token", ""),
            request.form.get("state", ""),
            request.cookies.get(_state_cookie()),
            current_app.extensions[KEYS_EXTENSION],
            now,
        )
        person = links.person_for_launch(db_session, found, match)
        module = links.module_for_launch(current_catalog(), person, found, slug_from_target(found.target_link_uri))
        link = links.record(db_session, found, person, module, now)
    except LaunchRefused as refused:
        db_session.commit()  # the nonce stays used
        return _problem(refused.reason)
    sessions.begin(person)
    language = language_of(found.locale, config["LANGUAGES"])
    if language:
        session[LANGUAGE_KEY] = language
    db_session.commit()
    log.info(
        "LTI launch of %s for person %s from platform %s (link %s)", module.slug, person.id, link.platform_id, link.id
    )
    response = redirect(url_for("learn.module", module_slug=module.slug), 303)
    response.delete_cookie(_state_cookie(), path="/")
    return response


@bp.get("/jwks")
def jwks() -> Response:
    """The tool's public key set, which the LMS uses to check our signed token requests."""
    key = tool_key.load(Path(current_app.config["LTI_KEY_FILE"]))
    if key is None:
        log.warning("no LTI tool key yet: run `flask lti generate-key`")
        response = jsonify({"keys": []})
    else:
        response = jsonify(key.jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
