"""The one import point for translation functions, and how a request's language is chosen."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

__all__ = ["_", "_l", "ngettext", "select_locale"]

SESSION_KEY = "lang"


def select_locale() -> str:
    """The user's own setting, then the language chosen in this session, then the browser's, then Dutch."""
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands print English, as their own output is; e-mails choose per person
        return "en"
    preferred = getattr(current_user, "preferred_language", None) if current_user else None
    if preferred in languages:
        return str(preferred)
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return str(chosen)
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]
