"""Learner forms; option lists are rendered from the content, so these carry the CSRF token."""

from flask_wtf import FlaskForm
from wtforms import SubmitField

from ...i18n import _l


class MarkDoneForm(FlaskForm):
    """'Mark as done' under a lesson."""

    submit = SubmitField(_l("Mark as done and continue"))


class CheckForm(FlaskForm):
    """A knowledge-check answer; the chosen option ids come as repeated `option` fields."""

    submit = SubmitField(_l("Check my answer"))


class StartAttemptForm(FlaskForm):
    """Start (or continue) an assessment attempt."""

    submit = SubmitField(_l("Start the assessment"))


class SubmitAttemptForm(FlaskForm):
    """Hand in an attempt; the answers come as `q-<question id>` fields."""

    submit = SubmitField(_l("Hand in my answers"))


class ChoiceForm(FlaskForm):
    """A choice in a scenario scene; scene, choice and a one-time form token come as hidden fields."""
