"""Logging in and out."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers.response import Response

from ...db import get_session
from ...i18n import SESSION_KEY, _
from ...services.accounts import authenticate
from ..redirects import local_path
from .forms import LoginForm, LogoutForm

bp = Blueprint("auth", __name__, url_prefix="/auth")
log = logging.getLogger(__name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the login form; on success go where the person was heading."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        db_session = get_session()
        person = authenticate(db_session, form.email.data or "", form.password.data or "")
        if person is not None:
            language = session.get(SESSION_KEY)
            session.clear()  # a fresh session at login, against session fixation
            if language:
                session[SESSION_KEY] = language
            login_user(person)
            db_session.commit()
            log.info("login succeeded for person %s", person.id)
            return redirect(local_path(form.next.data) or url_for("learn.dashboard"))
        log.info("login failed")
        flash(_("E-mail address or password is not correct."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End the session."""
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
