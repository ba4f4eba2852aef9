"""Administrator forms; the services check every rule again, these only give early, per-field messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from ...i18n import _l
from ...services.organisations import CODE_PATTERN, NAME_MAX
from ...services.roles import GRANTABLE_ROLES, ROLE_LABELS


def optional_id(value: object) -> int | None:
    """'' (no unit / top level) becomes None; anything else must be a whole number."""
    if value is None or value == "":
        return None
    return int(str(value))


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if isinstance(value, str) else value


class PeopleSearchForm(FlaskForm):
    """Search people by name, e-mail address or employee number (a GET form: nothing changes)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name, e-mail address or employee number"), validators=[Optional(), Length(max=200)])
    page = IntegerField(validators=[Optional()])
    submit = SubmitField(_l("Search"))


class GrantForm(FlaskForm):
    """Give a person a role; HR and manager need a unit, author and administrator none."""

    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in GRANTABLE_ROLES],
        validators=[DataRequired()],
    )
    organisation = SelectField(
        _l("Organisation unit"),
        coerce=optional_id,
        validate_choice=True,
        description=_l("Needed for HR (the unit and everything below it) and manager (that unit only)."),
    )
    submit = SubmitField(_l("Grant role"))


class CreateUnitForm(FlaskForm):
    """A new organisation unit."""

    code = StringField(
        _l("Code"),
        filters=[_upper],
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(
                CODE_PATTERN.pattern + "$",
                message=_l("Use letters, digits and hyphens only, starting with a letter or digit."),
            ),
        ],
        description=_l("For example DG-A-1. Letters are stored in upper case; the code cannot change later."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    parent = SelectField(_l("Part of"), coerce=optional_id)
    submit = SubmitField(_l("Add unit"))


class RenameForm(FlaskForm):
    """A unit's new name."""

    name = StringField(_l("New name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    submit = SubmitField(_l("Rename"))


class MoveForm(FlaskForm):
    """A unit's new parent."""

    parent = SelectField(_l("New place: part of"), coerce=optional_id)
    submit = SubmitField(_l("Move"))


class AuditFilterForm(FlaskForm):
    """Show one kind of event (a GET form)."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), validators=[Optional()])
    submit = SubmitField(_l("Show"))


class EraseForm(FlaskForm):
    """Erase one person's personal data, after ticking a box: it cannot be undone."""

    confirm = BooleanField(
        _l("Yes, erase the personal data of this person. I understand that this cannot be undone."),
        validators=[InputRequired(_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Erase personal data"))


class LtiPlatformForm(FlaskForm):
    """A new LMS (LTI 1.3 platform), with the values its administrator gives; the service checks the addresses."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], description=_l("For example: Moodle"))
    issuer = StringField(
        _l("Issuer (platform ID)"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("For example https://moodle.example.org"),
    )
    client_id = StringField(_l("Client ID"), validators=[DataRequired(), Length(max=255)])
    deployment_ids = TextAreaField(
        _l("Deployment IDs"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l("One per line."),
    )
    auth_login_url = StringField(_l("Authentication request URL"), validators=[DataRequired(), Length(max=1000)])
    auth_token_url = StringField(_l("Access token URL"), validators=[DataRequired(), Length(max=1000)])
    key_set_url = StringField(_l("Public keyset URL"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Register platform"))


class LtiActiveForm(FlaskForm):
    """Switch a platform's launches and score delivery on or off."""

    active = HiddenField()
