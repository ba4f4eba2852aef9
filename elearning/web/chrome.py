"""The page header, rendered once per language, roles and section and reused: every page has one.

It differs between people only by the CSRF token and the path the language switch returns to; both are put in per
request, escaped. Which links show (content, reports, people and assignments, team, administration) follows the
roles the person holds now.
"""

from __future__ import annotations

from threading import Lock

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from ..services.authz import may_administer, may_author, may_lead_team, may_report

CSRF_MARK = "\x00csrf-token\x00"
NEXT_MARK = "\x00next-path\x00"

_cache: dict[tuple[str, bool, bool, bool, bool, bool, str | None], str] = {}
_cache_lock = Lock()


def current_language() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def site_header() -> Markup:
    """The header for the current person and page."""
    user = current_user if current_user.is_authenticated else None
    key = (
        current_language(),
        user is not None,
        bool(user and may_author(user)),
        bool(user and may_report(user)),
        bool(user and may_lead_team(user)),
        bool(user and may_administer(user)),
        request.blueprint,
    )
    html = _cache.get(key)
    if html is None:
        language, authenticated, author, report, lead, admin, blueprint = key
        html = render_template(
            "_site_header.html",
            current_language=language,
            authenticated=authenticated,
            may_author=author,
            may_report=report,
            may_lead_team=lead,
            may_administer=admin,
            blueprint=blueprint,
            csrf=CSRF_MARK,
            next_path=NEXT_MARK,
        )
        with _cache_lock:
            _cache[key] = html  # at most languages × 32 role combinations × blueprints entries
    next_path = str(escape(request.full_path.rstrip("?")))
    filled = html.replace(CSRF_MARK, generate_csrf()).replace(NEXT_MARK, next_path)
    return Markup(filled)  # noqa: S704 - Jinja output, token and path escaped  # nosec B704
