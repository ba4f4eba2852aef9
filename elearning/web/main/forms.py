"""Forms shared by every page."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired

from ...i18n import _l

LANGUAGES = ("nl", "en")


class LanguageForm(FlaskForm):
    """The language switch in the page header."""

    language = StringField(_l("Language"), validators=[DataRequired(), AnyOf(LANGUAGES)])
    next = HiddenField()
