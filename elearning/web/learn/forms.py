"""Assessment forms; questions and options are rendered from the content, so these carry the CSRF token."""

from flask_wtf import FlaskForm
from wtforms import SubmitField

from ...i18n import _l


class StartAttemptForm(FlaskForm):
    """Start (or continue) an assessment attempt."""

    submit = SubmitField(_l("Start the assessment"))


class SubmitAttemptForm(FlaskForm):
    """Hand in an attempt; the answers come as `q-<question id>` fields."""

    submit = SubmitField(_l("Hand in my answers"))
