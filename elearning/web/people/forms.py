"""Roster upload, the confirmation that applies exactly the previewed file, and discarding it."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, HiddenField, RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired, InputRequired

from ...i18n import _l

EXTENSIONS = ("csv", "txt", "xlsx")


class UploadForm(FlaskForm):
    """The roster file and whether it is the whole roster or only changes."""

    file = FileField(
        _l("Roster file"),
        validators=[
            FileRequired(_l("Choose the roster file to upload.")),
            FileAllowed(EXTENSIONS, _l("Upload a CSV file (.csv or .txt) or an Excel workbook (.xlsx).")),
        ],
        description=_l("CSV (separated by commas or semicolons) or Excel (.xlsx); the first row names the columns."),
    )
    mode = RadioField(
        _l("What does the file hold?"),
        choices=[
            SelectChoice("full", _l("The full roster: people in my units who are not in the file are deactivated")),
            SelectChoice("partial", _l("Only changes: nobody is deactivated for being absent")),
        ],
        validators=[InputRequired(_l("Choose whether this is the full roster or only changes."))],
    )
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    """Apply the previewed upload named by its token."""

    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Apply this import"))


class DiscardForm(FlaskForm):
    """Forget the previewed upload."""

    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Discard this file"))


REASONS = [
    SelectChoice("long_term_sick_leave", _l("Long-term sick leave")),
    SelectChoice("parental_leave", _l("Parental leave")),
    SelectChoice("external_contractor", _l("External contractor")),
    SelectChoice("trained_elsewhere", _l("Already trained elsewhere")),
    SelectChoice("personal_circumstances", _l("Personal circumstances")),
]


class ExemptionForm(FlaskForm):
    """Exempt a person from a module until a date; a reason category, never a free text."""

    module = SelectField(_l("Module"), validators=[InputRequired(_l("Choose a module."))])
    reason = SelectField(
        _l("Reason"),
        choices=REASONS,
        validators=[InputRequired(_l("Choose a reason."))],
        description=_l("Only the category is kept. Do not write down any details anywhere in the platform."),
    )
    ends_on = DateField(
        _l("Exempt until (last day)"), validators=[InputRequired(_l("Give the last day of the exemption."))]
    )
    submit = SubmitField(_l("Exempt"))


class RevokeExemptionForm(FlaskForm):
    """End an exemption now."""

    exemption = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("End this exemption"))
