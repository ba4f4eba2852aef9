"""Logging in and out, accepting an invitation and resetting a forgotten password."""

from __future__ import annotations

import logging
import math
from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers.response import Response

from ...config import PASSWORD_LOGIN_ADMINS
from ...db import get_session
from ...extensions import csrf
from ...i18n import _, ngettext
from ...mail import current_sender
from ...models import TokenPurpose, utcnow
from ...services import accounts, login_throttle, security_notices
from ...services import login_sessions as login_session_service
from ...services.accounts import MIN_PASSWORD_LENGTH, WrongPassword, authenticate
from ...services.errors import InvalidInput
from ...services.invitations import TokenError, check_token, redeem, request_password_reset
from .. import sessions
from ..redirects import local_path
from . import oidc
from .forms import ChangePasswordForm, EndSessionsForm, LoginForm, LogoutForm, ResetRequestForm, SetPasswordForm

bp = Blueprint("auth", __name__, url_prefix="/auth")
log = logging.getLogger(__name__)

# Pages whose address holds a one-time token: it must not leak through Referer headers or caches.
TOKEN_ENDPOINTS = frozenset({"auth.invitation", "auth.reset_password"})
# Pages with a password form: never kept in a cache.
NO_STORE_ENDPOINTS = TOKEN_ENDPOINTS | {"auth.login", "auth.change_password"}


@bp.after_request
def keep_tokens_private(response: Response) -> Response:
    if request.endpoint in TOKEN_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
    if request.endpoint in NO_STORE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def throttle_policy() -> login_throttle.ThrottlePolicy:
    return login_throttle.ThrottlePolicy.from_config(current_app.config)


def _throttle_keys(email: str) -> login_throttle.ThrottleKeys:
    return login_throttle.keys_for(current_app.config["SECRET_KEY"], email, request.remote_addr)


def _locked_page(form: LoginForm, until: datetime, now: datetime) -> tuple[str, int]:
    """The same answer for every address, with or without an account: no account enumeration."""
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    flash(
        ngettext(
            "Too many failed attempts to log in. Wait %(num)s minute and try again, "
            "or choose a new password through “Forgot your password?”.",
            "Too many failed attempts to log in. Wait %(num)s minutes and try again, "
            "or choose a new password through “Forgot your password?”.",
            minutes,
        ),
        "error",
    )
    return _login_page(form), 429


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the login form; on success go where the person was heading. Repeated failures lock for a while."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        db_session = get_session()
        now = utcnow()
        keys = _throttle_keys(form.email.data or "")
        locked = login_throttle.locked_until(db_session, keys, now)
        if locked is not None:
            log.info("login refused: locked after repeated failures")
            return _locked_page(form, locked, now)
        person = authenticate(db_session, form.email.data or "", form.password.data or "")
        if person is not None and not accounts.may_use_password(person, current_app.config["PASSWORD_LOGIN"]):
            person = None  # single sign-on only: counted and answered as any wrong password (no account oracle)
        if person is not None:
            login_throttle.record_success(db_session, keys)
            sessions.begin(person)
            db_session.commit()
            log.info("login succeeded for person %s", person.id)
            return redirect(local_path(form.next.data) or url_for("learn.dashboard"))
        login_throttle.record_failure(db_session, keys, now, throttle_policy())
        db_session.commit()
        log.info("login failed")
        flash(_("E-mail address or password is not correct."), "error")
        return _login_page(form), 401
    return _login_page(form)


def _login_page(form: LoginForm) -> str:
    """The login page: the single sign-on button when configured, the password form for whoever may use it."""
    return render_template(
        "auth/login.html",
        form=form,
        sso=oidc.enabled(),
        passwords_for_admins_only=current_app.config["PASSWORD_LOGIN"] == PASSWORD_LOGIN_ADMINS,
    )


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End the session, on the server too: a copy of the cookie no longer works."""
    form = LogoutForm()
    if form.validate_on_submit():
        sessions.end()
        get_session().commit()
        flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response | tuple[str, int]:
    """Change my password with the current one; my other sessions (other browsers, devices) end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db_session = get_session()
        now = utcnow()
        keys = _throttle_keys(current_user.email)
        locked = login_throttle.locked_until(db_session, keys, now)
        if locked is not None:
            form.current.errors = [*form.current.errors, _("Too many wrong passwords. Try again later.")]
        else:
            try:
                ended = accounts.change_password(
                    db_session,
                    current_user,
                    form.current.data or "",
                    form.password.data or "",
                    keep_session=sessions.current_session_id(),
                )
            except WrongPassword as exc:
                login_throttle.record_failure(db_session, keys, now, throttle_policy())
                db_session.commit()
                form.current.errors = [*form.current.errors, str(exc)]
            except InvalidInput as exc:
                form.password.errors = [*form.password.errors, str(exc)]
            else:
                db_session.commit()
                log.info("password changed by person %s; %s other session(s) ended", current_user.id, ended)
                security_notices.password_changed(current_sender(), current_user, now)
                flash(_("Your password is changed. You are logged out on your other devices."), "success")
                return redirect(url_for("me.index"))
    status = 400 if form.errors else 200
    return render_template("auth/change_password.html", form=form, min_length=MIN_PASSWORD_LENGTH), status


@bp.route("/sessions", methods=["GET", "POST"])
@login_required
def login_sessions_page() -> str | Response | tuple[str, int]:
    """Where I am logged in (browsers and devices), and logging out everywhere else after typing my password again."""
    form = EndSessionsForm()
    db_session = get_session()
    now = utcnow()
    if form.validate_on_submit():
        keys = _throttle_keys(current_user.email)
        if login_throttle.locked_until(db_session, keys, now) is not None:
            form.current.errors = [*form.current.errors, _("Too many wrong passwords. Try again later.")]
        else:
            try:
                ended = accounts.end_other_sessions(
                    db_session, current_user, form.current.data or "", keep_session=sessions.current_session_id()
                )
            except WrongPassword as exc:
                login_throttle.record_failure(db_session, keys, now, throttle_policy())
                db_session.commit()
                form.current.errors = [*form.current.errors, str(exc)]
            else:
                db_session.commit()
                log.info("person %s ended %s other session(s)", current_user.id, ended)
                flash(ngettext("%(num)s other session ended.", "%(num)s other sessions ended.", ended), "success")
                return redirect(url_for("auth.login_sessions_page"))
    rows = login_session_service.active(db_session, current_user.id, now, sessions.policy())
    status = 400 if form.errors else 200
    page = render_template("auth/sessions.html", form=form, rows=rows, current_id=sessions.current_session_id())
    return page, status


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own CSRF token, after the link: see _set_password
def invitation(token: str) -> str | Response | tuple[str, int]:
    """Choose a first password through the link in the invitation, then go to the dashboard."""
    return _set_password(token, TokenPurpose.INVITATION)


@bp.route("/reset", methods=["GET", "POST"])
def reset_request() -> str | Response | tuple[str, int]:
    """Ask for a reset link; the answer is the same whether or not the address is known."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        db_session = get_session()
        minutes = current_app.config["PASSWORD_RESET_MINUTES"]
        request_password_reset(db_session, current_sender(), form.email.data or "", now=utcnow(), minutes=minutes)
        db_session.commit()
        flash(
            _(
                "If this e-mail address belongs to an account, we have sent it a link to choose a new password. "
                "The link works for %(minutes)s minutes. No e-mail? Check your spam folder, or ask your HR department.",
                minutes=minutes,
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own CSRF token, after the link: see _set_password
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Choose a new password through the link in the reset e-mail, then go to the dashboard."""
    return _set_password(token, TokenPurpose.PASSWORD_RESET)


def _set_password(token: str, purpose: TokenPurpose) -> str | Response | tuple[str, int]:
    """The link is checked before the form, so that a double submit (whose CSRF token died with the session renewed
    at login) finds the dashboard or the "already used" page; a usable link still needs a valid CSRF token."""
    db_session = get_session()
    now = utcnow()
    try:
        person = check_token(db_session, token, purpose, now)
    except TokenError as problem:
        return _token_problem(problem, purpose)
    if not accounts.may_use_password(person, current_app.config["PASSWORD_LOGIN"]):
        # Single sign-on only: a password would be of no use; the link is left as it is.
        return render_template("auth/sso_only.html"), 403
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            person = redeem(db_session, token, purpose, form.password.data or "", now)
        except TokenError as problem:
            return _token_problem(problem, purpose)
        except InvalidInput as exc:
            form.password.errors = [*form.password.errors, str(exc)]
        else:
            login_throttle.record_success(db_session, _throttle_keys(person.email))  # the mailbox proved who it is
            sessions.begin(person)
            db_session.commit()
            log.info("password set via %s link for person %s", purpose.value, person.id)
            if purpose is TokenPurpose.PASSWORD_RESET:  # a first password (invitation) changes nothing to report
                security_notices.password_changed(current_sender(), person, now)
            flash(_("Your password is saved and you are logged in."), "success")
            return redirect(url_for("learn.dashboard"))
    status = 400 if form.errors else 200
    return render_template(
        "auth/set_password.html",
        form=form,
        purpose=purpose,
        email=person.email,
        min_length=MIN_PASSWORD_LENGTH,
    ), status


def _token_problem(problem: TokenError, purpose: TokenPurpose) -> Response | tuple[str, int]:
    """A clear page saying what is wrong with the link and what to do; a repeat by its own user just goes on."""
    if problem.reason == "used" and current_user.is_authenticated and current_user.id == problem.person_id:
        return redirect(url_for("learn.dashboard"))
    status = 404 if problem.reason == "unknown" else 410
    return render_template(
        "auth/token_problem.html", reason=problem.reason, message=str(problem), purpose=purpose
    ), status
