"""HR and admin: which module each organisation subtree must do by when."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.wrappers.response import Response
from wtforms.fields.choices import SelectChoice

from ...catalog import current_catalog
from ...db import get_session
from ...i18n import _, ngettext
from ...models import Assignment, utcnow
from ...services import assignments
from ...services.assignments import AssignmentInvalid
from ...services.errors import Forbidden
from ...services.idempotency import new_token
from .forms import AssignmentForm, EndForm

bp = Blueprint("assignments", __name__, url_prefix="/assignments")

Page = str | tuple[str, int]


@bp.before_request
@login_required
def _require_manager_of_assignments() -> None:
    """HR and administrators only; which units each may manage is decided by the assignments service."""
    if not assignments.may_manage(current_user):
        raise Forbidden("role hr or admin required")


def _lang() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _module_choices(form: AssignmentForm) -> None:
    """The modules of the catalogue, by title."""
    lang = _lang()
    modules = sorted(current_catalog().modules.values(), key=lambda m: m.text(lang).title.casefold())
    form.module_slug.choices = [SelectChoice("", _("Choose a module"))] + [
        SelectChoice(m.slug, m.text(lang).title) for m in modules
    ]


def _unit_choices(form: AssignmentForm) -> None:
    """The units within the user's scope, in tree order, indented by depth."""
    units = assignments.manageable_units(get_session(), current_user)
    form.organisation_id.choices = [SelectChoice("", _("Choose a unit"))] + [
        SelectChoice(str(unit.id), f"{'— ' * (unit.depth - 1)}{unit.name} ({unit.code})") for unit in units
    ]


def _form_page(form: AssignmentForm, assignment: Assignment | None) -> tuple[str, int]:
    """The form, with status 400 when it comes back with errors."""
    module = current_catalog().module(assignment.module_slug) if assignment else None
    title = module.text(_lang()).title if module else (assignment.module_slug if assignment else "")
    page = render_template("assignments/form.html", form=form, assignment=assignment, module_title=title)
    return page, 400 if form.errors else 200


def _show_errors(form: AssignmentForm, error: AssignmentInvalid) -> None:
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(message, "error")


@bp.get("/")
def index() -> str:
    """The assignments within my scope, with how many people are enrolled, done and overdue."""
    rows = assignments.list_assignments(get_session(), current_user, date.today())
    return render_template("assignments/index.html", rows=rows, catalog=current_catalog(), lang=_lang())


@bp.route("/new", methods=["GET", "POST"])
def new() -> Page | Response:
    """Assign a module to a unit; a double submit creates one assignment."""
    form = AssignmentForm()
    _module_choices(form)
    _unit_choices(form)
    if not form.is_submitted():
        form.form_token.data = new_token()
    elif form.validate():
        db_session = get_session()
        try:
            saved = assignments.create(
                db_session,
                current_catalog(),
                current_user,
                form.to_input(),
                date.today(),
                now=utcnow(),
                form_token=form.form_token.data,
            )
        except AssignmentInvalid as error:
            _show_errors(form, error)
        else:
            db_session.commit()
            if saved is None:
                flash(_("This assignment was already saved."), "info")
                return redirect(url_for("assignments.index"), 303)
            _saved_messages(saved)
            return redirect(url_for("assignments.index"), 303)
    return _form_page(form, None)


@bp.route("/<int:assignment_id>/edit", methods=["GET", "POST"])
def edit(assignment_id: int) -> Page | Response:
    """Change the unit, audience, due rule, recurrence or reminders of a running assignment."""
    db_session = get_session()
    assignment = assignments.get_assignment(db_session, current_user, assignment_id)
    form = AssignmentForm(obj=_Values(assignment))  # a POST's own values take precedence
    del form.module_slug  # the module of an assignment does not change
    del form.form_token  # saving the same values twice is harmless
    _unit_choices(form)
    if form.validate_on_submit():
        try:
            saved = assignments.edit(
                db_session,
                current_catalog(),
                current_user,
                assignment.id,
                form.to_input(assignment.module_slug),
                date.today(),
                now=utcnow(),
            )
        except AssignmentInvalid as error:
            _show_errors(form, error)
        else:
            db_session.commit()
            _saved_messages(saved)
            return redirect(url_for("assignments.index"), 303)
    return _form_page(form, assignment)


@bp.route("/<int:assignment_id>/end", methods=["GET", "POST"])
def end(assignment_id: int) -> Page | Response:
    """Confirm, then end an assignment: open enrolments are withdrawn, what was done stays."""
    db_session = get_session()
    assignment = assignments.get_assignment(db_session, current_user, assignment_id)
    form = EndForm()
    if form.validate_on_submit():
        withdrawn = assignments.end(db_session, current_user, assignment.id, now=utcnow())
        db_session.commit()
        flash(
            ngettext(
                "The assignment has ended; %(num)s open enrolment was withdrawn.",
                "The assignment has ended; %(num)s open enrolments were withdrawn.",
                withdrawn,
            ),
            "success",
        )
        return redirect(url_for("assignments.index"), 303)
    status = 400 if form.errors else 200
    return render_template(
        "assignments/end.html", form=form, assignment=assignment, catalog=current_catalog(), lang=_lang()
    ), status


class _Values:
    """An assignment's values under the form's field names."""

    def __init__(self, assignment: Assignment):
        self.organisation_id = assignment.organisation_id
        self.managers_only = assignment.managers_only
        self.due_rule = assignments.FIXED if assignment.due_on is not None else assignments.AFTER_START
        self.due_on = assignment.due_on
        self.due_days_after_start = assignment.due_days_after_start
        self.recurrence_months = assignment.recurrence_months
        self.requires_current_version = assignment.requires_current_version
        self.reminder_days = assignment.reminder_days
        self.escalate_after_days = assignment.escalate_after_days


def _saved_messages(saved: assignments.Saved) -> None:
    for notice in saved.notices:
        flash(notice, "info")
    result = saved.sync
    flash(
        ngettext(
            "The assignment is saved; %(num)s person was enrolled.",
            "The assignment is saved; %(num)s people were enrolled.",
            result.enrolled,
        ),
        "success",
    )
    if result.completed:
        flash(
            ngettext(
                "%(num)s of them had already completed the module.",
                "%(num)s of them had already completed the module.",
                result.completed,
            ),
            "info",
        )
    if result.withdrawn:
        flash(
            ngettext(
                "%(num)s person is no longer in the audience; their open enrolment was withdrawn.",
                "%(num)s people are no longer in the audience; their open enrolments were withdrawn.",
                result.withdrawn,
            ),
            "info",
        )
