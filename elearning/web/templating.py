"""Template helpers: the session's user, language, and content placeholders filled in per organisation."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import lazyload

from ..content import Question, Reflection, Scenario
from ..db import get_session
from ..extensions import login_manager
from ..i18n import _l
from ..models import Person
from ..services.authz import may_author, may_report

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")

# Shown where an organisation has not (yet) filled in its own contacts.
PLACEHOLDER_DEFAULTS = {
    "vertrouwenspersoon_contact": _l("the confidential adviser of your organisation (see the intranet)"),
    "mior_contact": _l("MIOR, the government-wide reporting desk (see the intranet)"),
    "bedrijfsmaatschappelijk_werk_contact": _l("company social work (see the intranet)"),
    "hr_contact": _l("your HR adviser"),
    "intranet_meldpagina": _l("the page on reporting unwanted behaviour on your intranet"),
    "organisatie_naam": _l("your organisation"),
}


def fill_placeholders(html: str) -> Markup:
    """Replace `{name}` placeholders in sanitised content HTML by escaped organisation values."""

    def value(match: re.Match[str]) -> str:
        default = PLACEHOLDER_DEFAULTS.get(match.group(1))
        return str(Markup.escape(str(default))) if default is not None else match.group(0)

    return Markup(PLACEHOLDER.sub(value, html))  # noqa: S704 - input is nh3-sanitised at load, values escaped


def register(app: Flask) -> None:
    app.jinja_env.filters["content"] = fill_placeholders
    app.jinja_env.tests["question"] = lambda part: isinstance(part, Question)
    app.jinja_env.tests["scenario"] = lambda part: isinstance(part, Scenario)
    app.jinja_env.tests["reflection"] = lambda part: isinstance(part, Reflection)

    @app.context_processor
    def globals_for_templates() -> dict[str, Any]:
        user = current_user if current_user.is_authenticated else None
        return {
            "may_report": bool(user and may_report(user)),
            "may_author": bool(user and may_author(user)),
            "current_language": str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]),
            "languages": current_app.config["LANGUAGES"],
        }


@login_manager.user_loader
def load_user(user_id: str) -> Person | None:
    """The logged-in person, if the account still exists and is active."""
    if not user_id.isdigit():
        return None
    # Roles load only when a page asks for them (the nav does; a redirecting POST does not).
    person = get_session().get(Person, int(user_id), options=[lazyload(Person.roles)])
    return person if person is not None and person.active else None


login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"
