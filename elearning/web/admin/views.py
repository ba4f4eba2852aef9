"""Administrators: roles and scopes, the organisation tree, the audit log, the xAPI outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers.response import Response
from wtforms import SelectChoice, SelectField

from ...catalog import current_catalog
from ...db import get_session
from ...i18n import _
from ...mail import current_sender
from ...models import Role, utcnow
from ...services import enrolments, organisations, retention, roles
from ...services.errors import InvalidInput
from ...services.idempotency import claim, new_token
from ...services.invitations import send_invitation
from ...services.reporting.exports import csv_stream, generated_at
from ...services.xapi import export as xapi_export
from .. import sessions
from .forms import AuditFilterForm, CreateUnitForm, EraseForm, GrantForm, MoveForm, PeopleSearchForm, RenameForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

Page = str | tuple[str, int]


@bp.before_request
@login_required
def _require_admin() -> None:
    """Administrators only; the roles service decides (403 for everyone else)."""
    roles.require_admin(current_user)


def _unit_choices(field: SelectField, rows: Sequence[organisations.TreeRow], none_label: str) -> None:
    """Fill a unit select in tree order, indented by depth, with a first 'none' option."""
    field.choices = [SelectChoice("", none_label)] + [
        SelectChoice(str(row.unit.id), f"{'— ' * row.depth}{row.unit.name} ({row.unit.code})") for row in rows
    ]


@bp.get("/")
def index() -> str:
    """The administrator's start page: counts and the latest changes."""
    overview = roles.overview(get_session(), current_user)
    return render_template("admin/index.html", overview=overview, role_labels=roles.ROLE_LABELS)


@bp.get("/people")
def people() -> str:
    """Find people by name, e-mail address or employee number."""
    form = PeopleSearchForm(formdata=request.args)
    query = (form.q.data or "") if form.validate() else ""
    page = request.args.get("page", 1, type=int) or 1
    result = roles.search_people(get_session(), current_user, query, page)
    return render_template("admin/people.html", form=form, result=result, role_labels=roles.ROLE_LABELS)


def _person_page(person_id: int, form: GrantForm | None = None, status: int = 200) -> tuple[str, int]:
    session = get_session()
    detail = roles.person_roles(session, current_user, person_id)
    if form is None:
        form = GrantForm()
        _unit_choices(form.organisation, organisations.open_units(session, current_user), _("No unit"))
    return render_template(
        "admin/person.html",
        detail=detail,
        form=form,
        role_labels=roles.ROLE_LABELS,
        scoped_roles=roles.SCOPED_ROLES,
        Role=Role,
        invitation_token=new_token(),
    ), status


@bp.get("/people/<int:person_id>")
def person(person_id: int) -> Page:
    """A person's roles, with forms to grant and revoke them and to send an invitation."""
    return _person_page(person_id)


@bp.post("/people/<int:person_id>/roles")
def grant(person_id: int) -> Page | Response:
    """Grant a role; a refused grant shows the form again with the reason."""
    session = get_session()
    form = GrantForm()
    _unit_choices(form.organisation, organisations.open_units(session, current_user), _("No unit"))
    if form.validate_on_submit():
        try:
            roles.grant_role(
                session,
                current_user,
                person_id,
                form.role.data or "",
                form.organisation.data,
                keep_session=sessions.current_session_id(),
            )
        except InvalidInput as exc:
            form.form_errors.append(str(exc))
        else:
            session.commit()
            flash(_("The role was granted."), "success")
            return redirect(url_for("admin.person", person_id=person_id))
    return _person_page(person_id, form, 400)


@bp.post("/people/<int:person_id>/roles/<int:grant_id>/revoke")
def revoke(person_id: int, grant_id: int) -> Response:
    """Revoke one grant; revoking it twice is harmless."""
    session = get_session()
    try:
        revoked = roles.revoke_role(
            session, current_user, person_id, grant_id, keep_session=sessions.current_session_id()
        )
    except InvalidInput as exc:
        flash(str(exc), "error")
    else:
        session.commit()
        if revoked:
            flash(_("The role was revoked."), "success")
        else:
            flash(_("This role had already been revoked."), "info")
    return redirect(url_for("admin.person", person_id=person_id))


@bp.post("/people/<int:person_id>/invitation")
def invite(person_id: int) -> Response:
    """Mail the person a link to choose a password; a repeated click sends nothing more."""
    session = get_session()
    person = roles.person_for_admin(session, current_user, person_id)
    try:
        if not claim(session, request.form.get("form_token")):
            flash(_("This invitation has already been sent."), "info")
            return redirect(url_for("admin.person", person_id=person_id))
        send_invitation(
            session,
            current_sender(),
            person,
            actor=current_user,
            now=utcnow(),
            days=current_app.config["INVITATION_DAYS"],
        )
    except InvalidInput as exc:
        flash(str(exc), "error")
    else:
        session.commit()
        flash(_("An invitation was sent to %(email)s.", email=person.email), "success")
    return redirect(url_for("admin.person", person_id=person_id))


@bp.route("/people/<int:person_id>/erase", methods=["GET", "POST"])
def erase(person_id: int) -> Page | Response:
    """Confirm, then erase a person's name, e-mail address, employee number, password and roles at once;
    what they did stays, anonymous, so that counts and reports do not change."""
    session = get_session()
    person = roles.person_for_admin(session, current_user, person_id)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            erased = retention.erase_person(session, current_user, person_id, utcnow())
        except InvalidInput as exc:
            form.form_errors.append(str(exc))
        else:
            session.commit()
            if erased:
                flash(_("The personal data of this person has been erased."), "success")
            else:
                flash(_("The personal data of this person had already been erased."), "info")
            return redirect(url_for("admin.person", person_id=person_id))
    status = 400 if form.errors else 200
    return render_template("admin/erase.html", person=person, form=form), status


def _tree_page(form: CreateUnitForm | None = None, status: int = 200) -> tuple[str, int]:
    session = get_session()
    tree = organisations.unit_tree(session, current_user)
    if form is None:
        form = CreateUnitForm()
        _unit_choices(form.parent, [row for row in tree if row.unit.closed_at is None], _("None (a new top level)"))
    return render_template("admin/organisations.html", tree=tree, form=form), status


@bp.get("/organisations")
def organisation_tree() -> Page:
    """The organisation tree with the number of people per unit, and a form to add a unit."""
    return _tree_page()


@bp.post("/organisations")
def create_unit() -> Page | Response:
    """Add a unit; a refused one shows the form again with what was typed."""
    session = get_session()
    form = CreateUnitForm()
    _unit_choices(form.parent, organisations.open_units(session, current_user), _("None (a new top level)"))
    if form.validate_on_submit():
        try:
            created = organisations.add_unit(
                session, current_user, form.code.data or "", form.name.data or "", form.parent.data
            )
        except InvalidInput as exc:
            form.form_errors.append(str(exc))
        else:
            session.commit()
            flash(_("Unit %(code)s was added.", code=created.code), "success")
            return redirect(url_for("admin.organisation_tree"))
    return _tree_page(form, 400)


def _unit_page(
    unit_id: int, rename: RenameForm | None = None, move: MoveForm | None = None, status: int = 200
) -> tuple[str, int]:
    detail = organisations.unit_detail(get_session(), current_user, unit_id)
    rename = rename or RenameForm(prefix="rename", formdata=None, name=detail.unit.name)
    if move is None:
        move = MoveForm(prefix="move", formdata=None, parent=detail.unit.parent_id)
    _unit_choices(move.parent, detail.parent_choices, _("None (top level)"))
    return render_template("admin/unit.html", detail=detail, rename=rename, move=move), status


@bp.get("/organisations/<int:unit_id>")
def unit(unit_id: int) -> Page:
    """One unit: rename, move, close or reopen it."""
    return _unit_page(unit_id)


@bp.post("/organisations/<int:unit_id>/name")
def rename_unit(unit_id: int) -> Page | Response:
    """Give the unit a new name."""
    session = get_session()
    form = RenameForm(prefix="rename")
    if form.validate_on_submit():
        try:
            changed = organisations.rename_unit(session, current_user, unit_id, form.name.data or "")
        except InvalidInput as exc:
            form.form_errors.append(str(exc))
        else:
            session.commit()
            flash(_("The unit was renamed.") if changed else _("The name was already this."), "success")
            return redirect(url_for("admin.unit", unit_id=unit_id))
    return _unit_page(unit_id, rename=form, status=400)


@bp.post("/organisations/<int:unit_id>/parent")
def move_unit(unit_id: int) -> Page | Response:
    """Move the unit, with everything below it, under another unit."""
    session = get_session()
    form = MoveForm(prefix="move")
    detail = organisations.unit_detail(session, current_user, unit_id)
    _unit_choices(form.parent, detail.parent_choices, _("None (top level)"))
    if form.validate_on_submit():
        try:
            changed = organisations.move_unit(session, current_user, unit_id, form.parent.data)
            if changed:  # the people below it now belong to other audiences
                enrolments.sync(session, current_catalog(), date.today(), now=utcnow())
        except InvalidInput as exc:
            form.form_errors.append(str(exc))
        else:
            session.commit()
            flash(_("The unit was moved.") if changed else _("The unit was already there."), "success")
            return redirect(url_for("admin.unit", unit_id=unit_id))
    return _unit_page(unit_id, move=form, status=400)


@bp.post("/organisations/<int:unit_id>/close")
def close_unit(unit_id: int) -> Response:
    """Close an empty unit; its history stays."""
    session = get_session()
    try:
        changed = organisations.close_unit(session, current_user, unit_id, now=utcnow())
    except InvalidInput as exc:
        flash(str(exc), "error")
    else:
        session.commit()
        flash(_("The unit was closed.") if changed else _("The unit was already closed."), "success")
    return redirect(url_for("admin.unit", unit_id=unit_id))


@bp.post("/organisations/<int:unit_id>/reopen")
def reopen_unit(unit_id: int) -> Response:
    """Open a closed unit again."""
    session = get_session()
    try:
        changed = organisations.reopen_unit(session, current_user, unit_id)
    except InvalidInput as exc:
        flash(str(exc), "error")
    else:
        session.commit()
        flash(_("The unit was reopened.") if changed else _("The unit was already open."), "success")
    return redirect(url_for("admin.unit", unit_id=unit_id))


@bp.get("/audit.csv")
def audit_download() -> Response:
    """The audit log (of one action) as CSV for Dutch Excel, oldest first, streamed."""
    session = get_session()
    rows = roles.audit_export(session, current_user, request.args.get("action", "")[:64] or None)
    session.commit()
    header = [_("Time"), _("Employee number"), _("By"), _("Action"), _("Target"), _("Details")]
    about = [(_("Report"), _("Audit log")), (_("Generated"), generated_at(utcnow()))]
    body = stream_with_context(chunk.encode("utf-8") for chunk in csv_stream(about, header, rows, delimiter=";"))
    filename = f"audit-log-{utcnow().date().isoformat()}.csv"
    return Response(
        body,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/audit")
def audit_log() -> str:
    """The audit log, newest first, a page at a time, optionally of one action."""
    action = request.args.get("action", "")[:64]
    page = roles.audit_page(get_session(), current_user, older_than=request.args.get("before", type=int), action=action)
    form = AuditFilterForm(formdata=None, action=page.action or "")
    form.action.choices = [SelectChoice("", _("All actions")), *(SelectChoice(name) for name in page.actions)]
    return render_template("admin/audit.html", page=page, form=form)


@bp.get("/xapi")
def xapi() -> str:
    """The xAPI outbox: on or off, where to, what waits, what failed and why; the export of a date range."""
    state = xapi_export.queue_state(get_session(), current_user, utcnow())
    today = utcnow().date()
    return render_template(
        "admin/xapi.html",
        state=state,
        settings=current_app.extensions.get("xapi"),
        first=today - timedelta(days=30),
        last=today,
    )


@bp.get("/xapi/statements.json")
def xapi_statements() -> Response:
    """The statements whose time lies in ?from= … ?to= (YYYY-MM-DD, UTC), sent or not, as one JSON array; audited."""
    period = xapi_export.parse_range(request.args, utcnow().date())
    session = get_session()
    chunks = xapi_export.statements(session, current_user, period)
    session.commit()
    filename = f"xapi-statements-{period.first.isoformat()}-{period.last.isoformat()}.json"
    return Response(
        stream_with_context(chunk.encode("utf-8") for chunk in chunks),
        content_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
