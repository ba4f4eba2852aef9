"""Administrators: the LMSes (LTI 1.3 platforms) that may launch modules, and what to tell their administrators."""

from __future__ import annotations

import re
from pathlib import Path

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers.response import Response

from ...catalog import current_catalog
from ...db import get_session
from ...i18n import _
from ...services.errors import InvalidInput
from ...services.lti import registrations, tool_key
from .forms import LtiActiveForm, LtiPlatformForm
from .views import Page, bp


def _page(form: LtiPlatformForm | None = None, status: int = 200) -> tuple[str, int]:
    base = current_app.config["BASE_URL"]
    key = tool_key.load(Path(current_app.config["LTI_KEY_FILE"]))
    return render_template(
        "admin/lti.html",
        platforms=registrations.overview(get_session(), current_user),
        form=form or LtiPlatformForm(formdata=None),
        active_form=LtiActiveForm(formdata=None),
        tool={
            "url": base + "/",
            "login": base + url_for("lti.login"),
            "launch": base + url_for("lti.launch"),
            "jwks": base + url_for("lti.jwks"),
        },
        key_id=key.kid if key else None,
        modules=sorted(current_catalog().modules),
        person_match=current_app.config["LTI_PERSON_MATCH"],
        employee_number_parameter=current_app.config["LTI_EMPLOYEE_NUMBER_PARAMETER"],
    ), status


@bp.get("/lti")
def lti_platforms() -> Page:
    """The registered platforms, the tool's own addresses for the LMS, and a form to register a platform."""
    return _page()


@bp.post("/lti")
def lti_register() -> Page | Response:
    """Register a platform (or update the one with the same issuer and client ID)."""
    form = LtiPlatformForm()
    if form.validate_on_submit():
        session = get_session()
        data = registrations.Registration(
            name=form.name.data or "",
            issuer=form.issuer.data or "",
            client_id=form.client_id.data or "",
            deployment_ids=tuple(re.split(r"[\s,]+", form.deployment_ids.data or "")),
            auth_login_url=form.auth_login_url.data or "",
            auth_token_url=form.auth_token_url.data or "",
            key_set_url=form.key_set_url.data or "",
        )
        try:
            platform, created = registrations.register(session, current_user, data)
        except InvalidInput as exc:
            form.form_errors.append(str(exc))
        else:
            session.commit()
            if created:
                flash(_("Platform %(name)s was registered.", name=platform.name), "success")
            else:
                flash(_("Platform %(name)s was updated.", name=platform.name), "success")
            return redirect(url_for("admin.lti_platforms"))
    return _page(form, 400)


@bp.post("/lti/<int:platform_id>/active")
def lti_active(platform_id: int) -> Response:
    """Switch a platform on or off: off refuses its launches and holds its scores."""
    form = LtiActiveForm()
    if not form.validate_on_submit() or form.active.data not in {"on", "off"}:
        raise InvalidInput(_("The form was incomplete. Reload the page and try again."))
    session = get_session()
    platform = registrations.set_active(session, current_user, platform_id, form.active.data == "on")
    session.commit()
    if platform.active:
        flash(_("Platform %(name)s is switched on.", name=platform.name), "success")
    else:
        flash(_("Platform %(name)s is switched off.", name=platform.name), "success")
    return redirect(url_for("admin.lti_platforms"))
