"""The authors' preview: validation status of every module and each lesson as learners will see it."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from ...catalog import current_catalog
from ...db import get_session
from ...services.authoring import module_statuses, preview_module
from ...services.errors import NotFound
from ...services.reporting.quality import author_quality

bp = Blueprint("author", __name__, url_prefix="/author")


@bp.before_request
@login_required
def _require_login() -> None:
    """Preview pages need a logged-in person; the service checks the author role."""


def _content_language(module_languages: tuple[str, ...]) -> str:
    """The content language asked for with ?lang=, else the interface language."""
    asked = request.args.get("lang") or str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return asked if asked in module_languages else module_languages[0]


@bp.get("/")
def index() -> str:
    """Every module folder with its errors and warnings."""
    return render_template("author/index.html", statuses=module_statuses(current_catalog(), current_user))


@bp.get("/<module_slug>/")
def module(module_slug: str) -> str:
    """A module's introduction, lessons, assessment and scenario maps, in one language."""
    module = preview_module(current_catalog(), current_user, module_slug)
    lang = _content_language(module.languages)
    return render_template(
        "author/module.html", module=module, lang=lang, problems=current_catalog().problems_for(module.slug)
    )


@bp.get("/<module_slug>/<lesson_slug>")
def lesson(module_slug: str, lesson_slug: str) -> str:
    """A lesson with every option's feedback and every scenario's map visible."""
    module = preview_module(current_catalog(), current_user, module_slug)
    lesson = module.lesson(lesson_slug)
    if lesson is None:
        raise NotFound("lesson")
    lang = _content_language(module.languages)
    return render_template("author/lesson.html", module=module, lesson=lesson, text=lesson.text(lang), lang=lang)


@bp.get("/<module_slug>/quality")
def quality(module_slug: str) -> str:
    """How first attempts answered the module's assessment and which scenario choices are made, over everyone."""
    result = author_quality(
        get_session(), current_catalog(), current_user, module_slug, int(current_app.config["REPORT_MIN_GROUP"])
    )
    lang = _content_language(result.module.languages)
    return render_template("author/quality.html", quality=result, lang=lang)
