"""HR: the effect measurement's anonymous figures per unit, and each unit's own contacts for the support panel."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers.response import Response

from ...catalog import current_catalog
from ...db import get_session
from ...i18n import _
from ...services import unit_settings
from ...services.errors import InvalidInput
from ...services.reporting.effect import effect_report, modules_with_effect
from ..contacts import CACHE_SECONDS, forget
from ..templating import CONTACT_LABELS, PLACEHOLDER_DEFAULTS
from .views import _audited, _filters, _k, _lang, _scope, bp


@bp.get("/effect")
def effect() -> str:
    """Per statement the mean answer before, after and some time after a module, with the change and the count."""
    filters = _filters()
    scope = _scope(filters)
    catalog = current_catalog()
    report = effect_report(get_session(), catalog, scope, filters.module_slug, _lang(), date.today(), _k())
    _audited("effect", scope, filters, None)
    return render_template(
        "hr/effect.html", report=report, filters=filters, modules=modules_with_effect(catalog), lang=_lang()
    )


def _unit_id() -> int | None:
    """The unit asked for; a value that is not a number is refused by name."""
    text = (request.values.get("unit") or "").strip()
    if text and not text.isdigit():
        raise InvalidInput(_("Unit: “%(value)s” is not a unit number.", value=text[:40]))
    return int(text) if text else None


def _contacts_page(
    found: unit_settings.UnitContacts, values: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    return render_template(
        "hr/contacts.html",
        found=found,
        values=values,
        labels=CONTACT_LABELS,
        defaults=PLACEHOLDER_DEFAULTS,
        max_length=unit_settings.MAX_LENGTH,
        minutes=max(1, round(CACHE_SECONDS / 60)),
    ), status


@bp.get("/contacts")
def contacts() -> tuple[str, int]:
    """A unit's own contacts for the "talk to someone" panel and the content's placeholders, and what it inherits."""
    return _contacts_page(unit_settings.settings_of(get_session(), current_user, _unit_id()))


@bp.post("/contacts")
def contacts_save() -> Response | tuple[str, int]:
    """Store the unit's own contacts (an empty field inherits from the unit above); the change is audited."""
    session = get_session()
    unit_id = _unit_id()
    values = {key: request.form[key] for key in unit_settings.SETTING_KEYS if key in request.form}
    try:
        changed = unit_settings.save(session, current_user, unit_id, values)
    except InvalidInput as exc:
        session.rollback()
        flash(str(exc), "error")
        return _contacts_page(unit_settings.settings_of(session, current_user, unit_id), values, status=400)
    session.commit()
    forget()
    if changed:
        flash(_("The contacts are saved. Learners see them within a minute or two."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for("hr.contacts", unit=unit_id) if unit_id else url_for("hr.contacts"), 303)
