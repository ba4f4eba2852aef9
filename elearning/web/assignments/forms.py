"""Assignment forms: they parse the fields; the service checks every rule, so that all problems show at once."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ...i18n import _l
from ...models import DEFAULT_REMINDER_DAYS
from ...services.assignments import AFTER_START, FIXED, REMINDER_DAYS, AssignmentInput


def optional_int(value: object) -> int | None:
    """'' (nothing chosen) becomes None; anything else must be a whole number."""
    if value is None or value == "":
        return None
    return int(str(value))


class AssignmentForm(FlaskForm):
    """Create or change an assignment; module and unit choices are filled by the view."""

    module_slug = SelectField(_l("Module"), validators=[InputRequired(_l("Choose a module."))])
    organisation_id = SelectField(
        _l("Organisation unit"),
        coerce=optional_int,
        validate_choice=False,  # the service decides, and answers 403 for a unit outside the user's scope
        validators=[InputRequired(_l("Choose an organisation unit."))],
        description=_l("Everyone in this unit and the units below it, now and when they join later."),
    )
    managers_only = BooleanField(_l("Only managers"))
    due_rule = RadioField(
        _l("Due date"),
        choices=[
            SelectChoice(FIXED, _l("On a fixed date")),
            SelectChoice(AFTER_START, _l("A number of days after the person starts")),
        ],
        default=FIXED,
        validators=[InputRequired(_l("Choose how the due date is set."))],
    )
    due_on = DateField(
        _l("Fixed due date"),
        validators=[Optional()],
        description=_l("For example 2026-06-30."),
    )
    due_days_after_start = IntegerField(
        _l("Days after the start date"),
        validators=[Optional()],
        description=_l("People who started before they were enrolled get this many days from their enrolment."),
    )
    recurrence_months = IntegerField(
        _l("Repeat every (months)"),
        validators=[Optional()],
        description=_l("Leave empty for a one-time assignment. Each repeat needs a new completion."),
    )
    requires_current_version = BooleanField(_l("Only a completion of the current content version counts"))
    reminder_days = StringField(
        _l("Reminder days"),
        default=DEFAULT_REMINDER_DAYS,
        validators=[Length(max=100)],
        description=_l(
            "Days before (negative) or after the due date on which the learner is reminded, separated by commas, "
            "from %(low)s to %(high)s. Leave empty for no reminders.",
            low=REMINDER_DAYS[0],
            high=REMINDER_DAYS[1],
        ),
    )
    escalate_after_days = IntegerField(
        _l("Tell the manager after (days overdue)"),
        validators=[Optional()],
        description=_l("Leave empty to never tell the manager."),
    )
    form_token = HiddenField()
    submit = SubmitField(_l("Save assignment"))

    def to_input(self, module_slug: str | None = None) -> AssignmentInput:
        """The form's values for the service (the module comes from the assignment when it cannot change)."""
        return AssignmentInput(
            module_slug=module_slug if module_slug is not None else (self.module_slug.data or ""),
            organisation_id=self.organisation_id.data,
            due_rule=self.due_rule.data or "",
            due_on=self.due_on.data,
            due_days_after_start=self.due_days_after_start.data,
            managers_only=bool(self.managers_only.data),
            recurrence_months=self.recurrence_months.data,
            requires_current_version=bool(self.requires_current_version.data),
            reminder_days=(self.reminder_days.data or "").strip(),
            escalate_after_days=self.escalate_after_days.data,
        )


class EndForm(FlaskForm):
    """End an assignment, after confirming."""

    confirm = BooleanField(_l("Yes, end this assignment"), validators=[InputRequired(_l("Tick the box to confirm."))])
    submit = SubmitField(_l("End assignment"))
