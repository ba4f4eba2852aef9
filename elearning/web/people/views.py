"""HR and admin: roster import with a preview, and the people in one's scope."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers.response import Response
from wtforms import SelectChoice

from ...catalog import current_catalog
from ...db import get_session
from ...i18n import _, _l
from ...services import exemptions
from ...services.errors import InvalidInput, NotFound
from ...services.roster import ChangeKind, ImportMode, import_scope
from ...services.roster.directory import PersonState, people_in_scope
from ...services.roster.staging import StagedState, apply_staged, discard_staged, stage_import, staged_import
from .forms import REASONS, ConfirmForm, DiscardForm, ExemptionForm, RevokeExemptionForm, UploadForm

bp = Blueprint("people", __name__, url_prefix="/people")

PROBLEMS_PER_PAGE = 100
FIELD_LABELS = {
    "employee_number": _l("Employee number"),
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "organisation_code": _l("Organisation unit"),
    "is_manager": _l("Manager"),
    "language": _l("Language"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
}
KIND_LABELS = {
    ChangeKind.CREATED: _l("New"),
    ChangeKind.UPDATED: _l("Changed"),
    ChangeKind.REACTIVATED: _l("Reactivated"),
    ChangeKind.DEACTIVATED: _l("Deactivated"),
    ChangeKind.UNCHANGED: _l("Unchanged"),
}
PROBLEM_LABELS = {
    "unreadable_file": _l("file cannot be read"),
    "no_rows": _l("no people in the file"),
    "missing_column": _l("required column missing"),
    "duplicate_column": _l("column named twice"),
    "missing_value": _l("empty"),
    "too_long": _l("too long"),
    "invalid_email": _l("not an e-mail address"),
    "invalid_boolean": _l("not yes or no"),
    "unknown_language": _l("unknown language"),
    "invalid_date": _l("not a date"),
    "end_before_start": _l("end date before start date"),
    "duplicate_employee_number": _l("employee number twice in the file"),
    "duplicate_email": _l("e-mail address twice in the file"),
    "unknown_unit": _l("unknown organisation code"),
    "closed_unit": _l("closed organisation unit"),
    "unit_out_of_scope": _l("unit outside your units"),
    "email_taken": _l("e-mail address used by another person"),
    "person_out_of_scope": _l("person outside your units"),
    "deactivates_importer": _l("would deactivate your own account"),
}
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": _l("UTF-8 with byte order mark"),
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
}


@bp.before_request
@login_required
def _require_importer() -> None:
    """Only HR and admins: the service decides (Forbidden → 403 for everyone else)."""
    import_scope(get_session(), current_user)


def _folder() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "imports"


def _languages() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> tuple[str, int]:
    """A file above the upload limit: say so on the form, and point to the command line for huge rosters."""
    form = UploadForm(formdata=None)
    form.file.errors = [
        _(
            "The file is larger than %(size)s MB. Upload a smaller file, or import it on the server with "
            "“flask people import”.",
            size=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
        )
    ]
    return render_template("people/import.html", form=form), 413


@bp.get("/")
def index() -> str:
    """The people in the viewer's units, a page at a time, searchable by name, e-mail or employee number."""
    state = request.args.get("state", PersonState.ALL.value)
    people = people_in_scope(
        get_session(),
        current_user,
        query=request.args.get("q", ""),
        state=PersonState(state) if state in PersonState._value2member_map_ else PersonState.ALL,
        page=request.args.get("page", 1, type=int),
    )
    return render_template("people/index.html", people=people)


@bp.route("/import", methods=["GET", "POST"])
def upload() -> str | Response | tuple[str, int]:
    """The upload form; a valid upload is checked in full and shown as a preview before anything changes."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            staged = stage_import(
                get_session(),
                _folder(),
                current_user,
                upload.read(),
                upload.filename or "",
                mode=ImportMode(form.mode.data),
                today=date.today(),
                languages=_languages(),
            )
        except InvalidInput as refused:  # the file's type is not allowed or does not match its name
            form.file.errors = [*form.file.errors, str(refused)]
        else:
            return redirect(url_for("people.preview", token=staged.token))
    return render_template("people/import.html", form=form), 400 if form.errors else 200


@bp.get("/import/<token>")
def preview(token: str) -> str:
    """The preview (counts, first rows of each kind, every problem), or the outcome once applied."""
    staged = staged_import(_folder(), token, current_user)
    problem_page = max(1, request.args.get("page", 1, type=int))
    return render_template(
        "people/preview.html",
        staged=staged,
        states=StagedState,
        kinds=ChangeKind,
        kind_labels=KIND_LABELS,
        field_labels=FIELD_LABELS,
        encoding_labels=ENCODING_LABELS,
        problem_labels=PROBLEM_LABELS,
        problem_page=problem_page,
        per_page=PROBLEMS_PER_PAGE,
        confirm=ConfirmForm(token=token),
        discard=DiscardForm(token=token),
    )


@bp.post("/import/apply")
def apply() -> Response:
    """Apply exactly the previewed file, once; a second confirmation (double click) changes nothing."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise NotFound("staged import")
    session = get_session()
    staged, applied_now = apply_staged(
        session,
        _folder(),
        form.token.data or "",
        current_user,
        today=date.today(),
        end_transaction=session.commit,
        languages=_languages(),
        catalog=current_catalog(),
    )
    if applied_now:
        flash(_("The import has been applied."), "success")
    elif staged.state is StagedState.APPLIED:
        flash(_("This import was already applied. Nothing was done twice."), "info")
    elif staged.state is StagedState.APPLYING:
        flash(
            _("This import is being applied right now. Nothing was done twice; reload this page in a moment."), "info"
        )
    else:
        flash(_("The data changed since the preview, so the file now has problems. Nothing was changed."), "error")
    return redirect(url_for("people.preview", token=staged.token))


@bp.post("/import/discard")
def discard() -> Response:
    """Forget a previewed upload without applying it."""
    form = DiscardForm()
    if not form.validate_on_submit():
        raise NotFound("staged import")
    discard_staged(_folder(), form.token.data or "", current_user)
    flash(_("The file was discarded. Nothing was changed."), "info")
    return redirect(url_for("people.upload"))


REASON_LABELS = {choice.value: choice.label for choice in REASONS}


def _exemptions_page(person_id: int, form: ExemptionForm | None = None, status: int = 200) -> tuple[str, int]:
    session = get_session()
    catalog = current_catalog()
    found = exemptions.of_person(session, current_user, person_id, date.today())
    form = form or ExemptionForm(formdata=None)
    lang = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    form.module.choices = [SelectChoice(m.slug, m.text(lang).title) for m in catalog.modules.values()]
    titles = {m.slug: m.text(lang).title for m in catalog.modules.values()}
    page = render_template(
        "people/exemptions.html",
        found=found,
        form=form,
        revoke=RevokeExemptionForm(formdata=None),
        titles=titles,
        reasons=REASON_LABELS,
    )
    return page, status


@bp.get("/<int:person_id>/exemptions")
def person_exemptions(person_id: int) -> tuple[str, int]:
    """A person's exemptions from modules: current and past, and a form to add one (HR of their unit)."""
    return _exemptions_page(person_id)


@bp.post("/<int:person_id>/exemptions")
def add_exemption(person_id: int) -> tuple[str, int] | Response:
    """Exempt the person from a module until a date."""
    form = ExemptionForm()
    form.module.choices = [SelectChoice(slug) for slug in current_catalog().modules]
    if not form.validate_on_submit():
        return _exemptions_page(person_id, form, 400)
    session = get_session()
    try:
        exemptions.exempt(
            session,
            current_catalog(),
            current_user,
            person_id,
            form.module.data or "",
            form.reason.data or "",
            form.ends_on.data,
            date.today(),
        )
    except InvalidInput as exc:
        form.form_errors.append(str(exc))
        return _exemptions_page(person_id, form, 400)
    session.commit()
    flash(_("The exemption has been recorded."), "success")
    return redirect(url_for("people.person_exemptions", person_id=person_id))


@bp.post("/<int:person_id>/exemptions/revoke")
def revoke_exemption(person_id: int) -> Response:
    """End one of the person's exemptions now; the module counts for them again."""
    form = RevokeExemptionForm()
    if not form.validate_on_submit() or not (form.exemption.data or "").isdigit():
        raise InvalidInput(_("The form was incomplete. Reload the page and try again."))
    session = get_session()
    ended = exemptions.revoke(session, current_user, person_id, int(form.exemption.data or 0))
    session.commit()
    flash(_("The exemption has ended.") if ended else _("This exemption had already ended."), "success")
    return redirect(url_for("people.person_exemptions", person_id=person_id))
