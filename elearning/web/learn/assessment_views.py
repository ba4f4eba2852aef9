"""The graded assessment at the end of a module: start, answer, result, retry."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers.response import Response

from ...catalog import current_catalog
from ...db import get_session
from ...i18n import _
from ...services import assessment, effect, progress
from ...services.errors import InvalidInput
from .forms import StartAttemptForm, SubmitAttemptForm
from .views import bp, content_language


@bp.get("/<module_slug>/assessment/")
def assessment_start_page(module_slug: str) -> str:
    """What the assessment is, attempts so far and best score."""
    catalog = current_catalog()
    state = assessment.summary(get_session(), catalog, current_user, module_slug)
    module = catalog.modules[module_slug]
    return render_template(
        "learn/assessment_start.html", module=module, state=state, lang=content_language(), form=StartAttemptForm()
    )


@bp.post("/<module_slug>/assessment/")
def assessment_start(module_slug: str) -> Response:
    """Start a new attempt or continue the open one (a double click gives the same attempt)."""
    if not StartAttemptForm().validate_on_submit():
        raise InvalidInput(_("The form was incomplete. Reload the page and try again."))
    db_session = get_session()
    attempt = assessment.start(db_session, current_catalog(), current_user, module_slug)
    db_session.commit()
    return redirect(url_for("learn.assessment_attempt", module_slug=module_slug, attempt_id=attempt.id), 303)


def _render_attempt(
    module_slug: str, attempt_id: int, chosen: dict[str, list[str]] | None = None, status: int = 200
) -> tuple[str, int]:
    module, attempt = assessment.attempt_of(get_session(), current_catalog(), current_user, module_slug, attempt_id)
    lang = content_language()
    answers = chosen if chosen is not None else {a.question_id: a.option_ids for a in attempt.answers}
    right = {a.question_id: a.correct for a in attempt.answers}
    completion = progress.completion(get_session(), current_user, module.slug)
    return render_template(
        "learn/assessment_attempt.html",
        module=module,
        attempt=attempt,
        lang=lang,
        questions=assessment.shown_questions(module, attempt, lang),
        answers=answers,
        right=right,
        form=SubmitAttemptForm(),
        start_form=StartAttemptForm(),
        completion=completion,
        post_pending=effect.post_pending(get_session(), module, current_user, completion is not None),
    ), status


@bp.get("/<module_slug>/assessment/<int:attempt_id>")
def assessment_attempt(module_slug: str, attempt_id: int) -> tuple[str, int]:
    """The questions of an open attempt, or the result of a submitted one."""
    return _render_attempt(module_slug, attempt_id)


@bp.post("/<module_slug>/assessment/<int:attempt_id>")
def assessment_submit(module_slug: str, attempt_id: int) -> Response | tuple[str, int]:
    """Hand in the answers; an incomplete set is shown again with the answers kept."""
    if not SubmitAttemptForm().validate_on_submit():
        raise InvalidInput(_("The form was incomplete. Reload the page and try again."))
    chosen = {key[2:]: request.form.getlist(key) for key in request.form if key.startswith("q-")}
    db_session = get_session()
    try:
        assessment.submit(db_session, current_catalog(), current_user, module_slug, attempt_id, chosen)
    except InvalidInput as exc:
        db_session.rollback()
        flash(str(exc), "error")
        return _render_attempt(module_slug, attempt_id, chosen, status=400)
    db_session.commit()
    return redirect(url_for("learn.assessment_attempt", module_slug=module_slug, attempt_id=attempt_id), 303)
