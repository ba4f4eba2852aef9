"""The learner's pages: dashboard, module, lesson, knowledge checks, scenarios and module media."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from werkzeug.wrappers.response import Response

from ...catalog import current_catalog
from ...content import Lesson, Module
from ...db import get_session
from ...i18n import _
from ...services import effect, learning, position, progress, scenario_outcomes
from ...services.errors import NotFound
from ...services.knowledge_check import CheckResult, evaluate
from ...services.scenario_walk import step
from .lesson_body import lesson_body

bp = Blueprint("learn", __name__, url_prefix="/learn")


@bp.before_request
@login_required
def _require_login() -> None:
    """Every learner page needs a logged-in person. (CSRFProtect has checked every POST's token before this.)"""


def content_language() -> str:
    """Content is shown in the interface language (modules fall back to their default language)."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _module_and_lesson(module_slug: str, lesson_slug: str) -> tuple[Module, Lesson]:
    module = learning.visible_module(current_catalog(), current_user, module_slug)
    lesson = module.lesson(lesson_slug)
    if lesson is None:
        raise NotFound("lesson")
    return module, lesson


@bp.get("/")
def dashboard() -> str:
    """My learning: modules assigned to me by due date, those done, the others; progress and where to continue."""
    today = date.today()
    board = learning.dashboard(get_session(), current_catalog(), current_user, today)
    completions = {state.module.slug: (state.module, state.completed_at) for state in board.states}
    follow_ups = effect.follow_ups_due(get_session(), current_user, completions, today)
    return render_template("learn/dashboard.html", board=board, lang=content_language(), follow_ups=follow_ups)


@bp.get("/<module_slug>/")
def module(module_slug: str) -> str:
    """A module's introduction and its lessons."""
    module = learning.visible_module(current_catalog(), current_user, module_slug)
    done = progress.lessons_done(get_session(), current_user, module.slug)
    completion = progress.completion(get_session(), current_user, module.slug)
    post_pending = effect.post_pending(get_session(), module, current_user, completion is not None)
    return render_template(
        "learn/module.html",
        module=module,
        done=done,
        completion=completion,
        lang=content_language(),
        post_pending=post_pending,
    )


def _render_lesson(
    module: Module,
    lesson: Lesson,
    *,
    check: CheckResult | None = None,
    scenario_steps: dict | None = None,
    status: int = 200,
    done: frozenset[str] | None = None,
    mode: str = "lesson",
) -> tuple[str, int]:
    if done is None:
        done = frozenset(progress.lessons_done(get_session(), current_user, module.slug))
    lang = content_language()
    body = lesson_body(module, lesson, lang, done, mode, check=check, scenario_steps=scenario_steps)
    return render_template("learn/lesson.html", module=module, text=lesson.text(lang), lang=lang, body=body), status


@bp.get("/<module_slug>/<lesson_slug>")
def lesson(module_slug: str, lesson_slug: str) -> tuple[str, int] | Response:
    """One lesson, with its knowledge checks, scenarios and reflections; remembered as where to resume."""
    module = learning.visible_module(current_catalog(), current_user, module_slug)
    lesson = module.lesson(lesson_slug)
    db_session = get_session()
    if lesson is None:  # removed from the content since: its progress stays, the learner goes on
        state = learning.module_state(db_session, module, current_user)
        flash(_("That lesson is no longer part of this module. You can continue here."), "info")
        return redirect(url_for("learn.lesson", module_slug=module.slug, lesson_slug=state.next_lesson.slug))
    visit = position.open_lesson(db_session, current_user, module, lesson.slug)
    if visit.moved:
        db_session.commit()
    if effect.pre_pending(module, current_user, visit.done, visit.effect_done):
        # Before the first lesson: the voluntary questions that measure where the learner starts from.
        here = url_for("learn.lesson", module_slug=module.slug, lesson_slug=lesson.slug)
        if request.query_string:
            here += "?" + request.query_string.decode("utf-8", "replace")
        return redirect(url_for("learn.effect_set", module_slug=module.slug, name="pre", next=here))
    return _render_lesson(module, lesson, done=visit.done, mode=_mode(lesson))


def _mode(lesson: Lesson) -> str:
    """A lesson with a content warning shows the warning first; ?go=lesson or ?go=summary is the learner's choice."""
    text = lesson.text(content_language())
    chosen = request.args.get("go")
    if text.warning_html is None:
        return "lesson"
    if chosen == "summary" and text.summary_html is not None:
        return "summary"
    return "lesson" if chosen == "lesson" else "warning"


@bp.post("/<module_slug>/<lesson_slug>/done")
def mark_done(module_slug: str, lesson_slug: str) -> Response:
    """Store that the lesson is done (twice is harmless) and go on to the next lesson."""
    module, lesson = _module_and_lesson(module_slug, lesson_slug)
    db_session = get_session()
    completed = progress.mark_lesson_done(db_session, current_catalog(), current_user, module.slug, lesson.slug)
    db_session.commit()
    if completed:
        flash(_("Well done: you have completed this module."), "success")
        if effect.post_pending(db_session, module, current_user, completed=True):
            return redirect(url_for("learn.effect_set", module_slug=module.slug, name="post"))
        return redirect(url_for("learn.module", module_slug=module.slug))
    index = module.lesson_index(lesson.slug) or 0
    if index + 1 < len(module.lessons):
        return redirect(url_for("learn.lesson", module_slug=module.slug, lesson_slug=module.lessons[index + 1].slug))
    if module.assessment is not None:
        return redirect(url_for("learn.assessment_start_page", module_slug=module.slug))
    return redirect(url_for("learn.module", module_slug=module.slug))


@bp.post("/<module_slug>/<lesson_slug>/check/<question_id>")
def check(module_slug: str, lesson_slug: str, question_id: str) -> tuple[str, int]:
    """Feedback on a knowledge-check answer; nothing is stored."""
    module, lesson = _module_and_lesson(module_slug, lesson_slug)
    question = next((q for q in lesson.text(content_language()).questions if q.id == question_id), None)
    if question is None:
        raise NotFound("question")
    chosen = request.form.getlist("option")
    if not chosen:
        flash(_("Choose an answer first."), "error")
        return _render_lesson(module, lesson, status=400)
    return _render_lesson(module, lesson, check=evaluate(question, chosen))


@bp.get("/<module_slug>/<lesson_slug>/scenario/<scenario_id>")
def scenario(module_slug: str, lesson_slug: str, scenario_id: str) -> tuple[str, int]:
    """A scenario scene inside its lesson; the choice that led here comes in the query string."""
    module, lesson = _module_and_lesson(module_slug, lesson_slug)
    found = next((s for s in lesson.text(content_language()).scenarios if s.id == scenario_id), None)
    if found is None:
        raise NotFound("scenario")
    walk = step(found, request.args.get("scene"), request.args.get("from"), request.args.get("choice"))
    return _render_lesson(module, lesson, scenario_steps={found.id: walk})


@bp.post("/<module_slug>/<lesson_slug>/scenario/<scenario_id>")
def scenario_choose(module_slug: str, lesson_slug: str, scenario_id: str) -> Response:
    """Follow a choice: counted anonymously once per form, then shown with its feedback."""
    db_session = get_session()
    scene, choice = request.form.get("scene", ""), request.form.get("choice", "")
    result = scenario_outcomes.choose(
        db_session,
        current_catalog(),
        current_user,
        module_slug,
        lesson_slug,
        scenario_id,
        scene,
        choice,
        request.form.get("form_token"),
    )
    db_session.commit()
    query: dict[str, Any] = {"scene": result.scene.id, "from": scene, "choice": choice}
    return redirect(
        url_for(
            "learn.scenario",
            module_slug=module_slug,
            lesson_slug=lesson_slug,
            scenario_id=scenario_id,
            _anchor=f"scenario-{scenario_id}",
            **query,
        ),
        303,
    )


@bp.get("/<module_slug>/media/<path:filename>")
def media(module_slug: str, filename: str) -> Response:
    """Images of a module, from content/modules/<slug>/media/."""
    module = learning.visible_module(current_catalog(), current_user, module_slug)
    folder = Path(current_catalog().root) / module.slug / "media"
    if not folder.is_dir():
        abort(404)
    return send_from_directory(folder, filename, max_age=3600)
