"""The effect measurement's question sets for the learner: shown, answered or skipped, once, anonymously."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers.response import Response

from ...catalog import current_catalog
from ...content import EFFECT_SCALE
from ...db import get_session
from ...i18n import _
from ...services import effect
from ...services.errors import InvalidInput
from ..redirects import local_path
from .views import bp, content_language


def _next(module_slug: str) -> str:
    """Where to go afterwards: the page the learner was on its way to, else the module page."""
    return local_path(request.values.get("next")) or url_for("learn.module", module_slug=module_slug)


def _render(offer: effect.Offer, chosen: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "learn/effect.html",
        offer=offer,
        module=offer.module,
        lang=content_language(),
        scale=EFFECT_SCALE,
        chosen=chosen or {},
        next=_next(offer.module.slug),
        k=current_app.config["REPORT_MIN_GROUP"],
    ), status


@bp.get("/<module_slug>/effect/<name>")
def effect_set(module_slug: str, name: str) -> tuple[str, int] | Response:
    """A question set of the effect measurement; when it is not open (done, not yet, passed), on to where the learner
    was going."""
    offer = effect.offer(
        get_session(), current_catalog(), current_user, module_slug, name, content_language(), date.today()
    )
    if offer.state is not effect.SetState.OPEN:
        return redirect(_next(module_slug))
    return _render(offer)


@bp.post("/<module_slug>/effect/<name>")
def effect_answer(module_slug: str, name: str) -> tuple[str, int] | Response:
    """Count the answers anonymously, or skip; either way the set is not offered again. Bad input keeps the answers."""
    db_session = get_session()
    today = date.today()
    if request.form.get("skip"):
        effect.skip(db_session, current_catalog(), current_user, module_slug, name, today)
        db_session.commit()
        flash(_("You skipped these questions. We will not ask them again."), "info")
        return redirect(_next(module_slug), 303)
    chosen = {key[2:]: value for key, value in request.form.items() if key.startswith("s-")}
    try:
        effect.answer(db_session, current_catalog(), current_user, module_slug, name, chosen, today)
    except InvalidInput as exc:
        db_session.rollback()
        offer = effect.offer(db_session, current_catalog(), current_user, module_slug, name, content_language(), today)
        if offer.state is not effect.SetState.OPEN:
            flash(str(exc), "info")
            return redirect(_next(module_slug), 303)
        flash(str(exc), "error")
        return _render(offer, chosen, status=400)
    db_session.commit()
    flash(_("Thank you. Your answers were counted anonymously."), "success")
    return redirect(_next(module_slug), 303)
