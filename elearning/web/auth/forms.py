"""Forms for logging in and out, asking for a reset link and choosing a password."""

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from ...i18n import _l


class LoginForm(FlaskForm):
    """E-mail address and password."""

    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), Length(max=320)], render_kw={"autocomplete": "username"}
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=1024)], render_kw={"autocomplete": "current-password"}
    )
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class LogoutForm(FlaskForm):
    """A POST with a CSRF token, so that another site cannot log people out."""

    submit = SubmitField(_l("Log out"))


class ResetRequestForm(FlaskForm):
    """The e-mail address to send a reset link to."""

    email = EmailField(
        _l("E-mail address"), validators=[DataRequired(), Length(max=320)], render_kw={"autocomplete": "username"}
    )
    submit = SubmitField(_l("Send me a link"))


def _current_password(label: Any) -> PasswordField:
    return PasswordField(
        label, validators=[DataRequired(), Length(max=1024)], render_kw={"autocomplete": "current-password"}
    )


def _new_password() -> PasswordField:
    """Made per form (not shared): WTForms orders a form's fields by when each was made."""
    return PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=1024)], render_kw={"autocomplete": "new-password"}
    )


def _repeated_password() -> PasswordField:
    return PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class SetPasswordForm(FlaskForm):
    """A new password, typed twice; the rules themselves live in services/accounts.py."""

    password = _new_password()
    confirm = _repeated_password()
    submit = SubmitField(_l("Save password and log in"))


class ChangePasswordForm(FlaskForm):
    """The current password, and a new one typed twice; the rules live in services/password_policy.py."""

    current = _current_password(_l("Current password"))
    password = _new_password()
    confirm = _repeated_password()
    submit = SubmitField(_l("Change password"))


class EndSessionsForm(FlaskForm):
    """The password once more, to log out on every other device and browser."""

    current = _current_password(_l("Your password"))
    submit = SubmitField(_l("Log out everywhere else"))
