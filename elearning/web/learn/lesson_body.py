"""A lesson page's content, rendered once per lesson, language, content version and done-or-not, reused for all.

Markdown was rendered at load; this saves the Jinja work too. Only the CSRF token and the number of lessons done
differ between learners: they are rendered as markers and put in per request. A page showing a knowledge-check
result or a scenario scene is personal and rendered afresh.
"""

from __future__ import annotations

from threading import Lock
from typing import Any

from flask import render_template
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ...content import Lesson, Module
from ...services.idempotency import new_token
from ..contacts import placeholder_values, raw_placeholders
from ..templating import fill_placeholders

CSRF_MARK = "\x00csrf-token\x00"
DONE_MARK = "\x00lessons-done\x00"

MODES = ("lesson", "warning", "summary")

_cache: dict[tuple[str, str, str, str, bool, str], str] = {}
_cache_lock = Lock()
_MAX_ENTRIES = 4_000  # far above lessons × languages × 2 of any catalogue; a reload adds the new versions


def lesson_body(
    module: Module, lesson: Lesson, lang: str, done: frozenset[str], mode: str = "lesson", **personal: Any
) -> Markup:
    """The page's HTML in `mode` (lesson, warning, summary); from the cache unless `personal` holds a check result
    or scenario steps."""
    lesson_done = lesson.slug in done
    done_count = str(len(done & {other.slug for other in module.lessons}))
    if personal.get("check") is not None or personal.get("scenario_steps"):
        fresh = _render(module, lesson, lang, lesson_done, generate_csrf(), done_count, "lesson", **personal)
        return Markup(fresh)  # noqa: S704 - Jinja output, escaped where it was rendered  # nosec B704
    key = (module.slug, module.version, lesson.slug, lang, lesson_done, mode)
    html = _cache.get(key)
    if html is None:
        token = raw_placeholders.set(True)  # shared by every unit: its contacts are filled in below, per learner
        try:
            html = _render(module, lesson, lang, lesson_done, CSRF_MARK, DONE_MARK, mode)
        finally:
            raw_placeholders.reset(token)
        with _cache_lock:
            if len(_cache) >= _MAX_ENTRIES:
                _cache.clear()
            _cache[key] = html
    # The token is URL-safe base64 and the count a number: neither needs escaping; the contacts are escaped.
    filled = html.replace(CSRF_MARK, generate_csrf()).replace(DONE_MARK, done_count)
    return fill_placeholders(filled, placeholder_values())


def _render(
    module: Module,
    lesson: Lesson,
    lang: str,
    lesson_done: bool,
    csrf: str,
    done_count: str,
    mode: str,
    **personal: Any,
) -> str:
    index = module.lesson_index(lesson.slug) or 0
    return render_template(
        "learn/_lesson_body.html",
        module=module,
        lesson=lesson,
        text=lesson.text(lang),
        lang=lang,
        index=index,
        previous=module.lessons[index - 1] if index > 0 else None,
        next=module.lessons[index + 1] if index + 1 < len(module.lessons) else None,
        lesson_done=lesson_done,
        done_count=done_count,
        mode=mode,
        csrf=csrf,
        check=personal.get("check"),
        scenario_steps=personal.get("scenario_steps") or {},
        new_token=new_token,
    )
