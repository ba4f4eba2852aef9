"""Template helpers: language, and content placeholders filled in per organisation (the user: web/sessions.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask import Flask
from markupsafe import Markup

from ..content import Question, Reflection, Scenario
from ..i18n import _l
from .chrome import current_language, site_header
from .contacts import placeholder_values, raw_placeholders

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# A placeholder that is a whole link or image address, e.g. [the reporting page]({intranet_meldpagina}).
URL_PLACEHOLDER = re.compile(r'(\s(?:href|src)=")\{([a-z_]+)\}(")')
SAFE_URL = re.compile(r"(?:https?://|mailto:|/(?!/)|#)", re.IGNORECASE)

# Shown where an organisation has not (yet) filled in its own contacts.
PLACEHOLDER_DEFAULTS = {
    "vertrouwenspersoon_contact": _l("the confidential adviser of your organisation (see the intranet)"),
    "mior_contact": _l("MIOR, the government-wide reporting desk (see the intranet)"),
    "bedrijfsmaatschappelijk_werk_contact": _l("company social work (see the intranet)"),
    "hr_contact": _l("your HR adviser"),
    "intranet_meldpagina": _l("the page on reporting unwanted behaviour on your intranet"),
    "organisatie_naam": _l("your organisation"),
}


def fill_placeholders(html: str, values: Mapping[str, str] | None = None) -> Markup:
    """Replace `{name}` placeholders in sanitised content HTML by escaped organisation values.

    `values` are the learner's unit's own contacts (web/contacts.py); the defaults fill the rest. A placeholder that
    is a link or image address only becomes an http(s), mailto or site-relative URL; any other value (text, or a
    javascript: URL) becomes "#", so that no value can smuggle a script into an attribute.
    """
    own = values or {}

    def lookup(name: str) -> str | None:
        found = own.get(name) or PLACEHOLDER_DEFAULTS.get(name)
        return str(found) if found is not None else None

    def address(match: re.Match[str]) -> str:
        url = lookup(match.group(2))
        if url is None:
            return match.group(0)
        safe = str(Markup.escape(url.strip())) if SAFE_URL.match(url.strip()) else "#"
        return f"{match.group(1)}{safe}{match.group(3)}"

    def value(match: re.Match[str]) -> str:
        found = lookup(match.group(1))
        return str(Markup.escape(found)) if found is not None else match.group(0)

    filled = PLACEHOLDER.sub(value, URL_PLACEHOLDER.sub(address, html))
    return Markup(filled)  # noqa: S704 - input is nh3-sanitised at load, values escaped  # nosec B704


def content_filter(html: str) -> Markup:
    """The `content` filter: the learner's values, or the placeholders left for later in a shared fragment."""
    if raw_placeholders.get():
        return Markup(html)  # noqa: S704 - nh3-sanitised at load; filled per request by lesson_body  # nosec B704
    return fill_placeholders(html, placeholder_values())


CONTACT_LABELS = {
    "vertrouwenspersoon_contact": _l("Confidential adviser"),
    "mior_contact": _l("MIOR, the reporting desk for unwanted behaviour"),
    "bedrijfsmaatschappelijk_werk_contact": _l("Company social work (employee assistance)"),
    "hr_contact": _l("HR adviser"),
    "intranet_meldpagina": _l("The intranet page on reporting unwanted behaviour (an address)"),
    "organisatie_naam": _l("The name of the organisation"),
}
SUPPORT_PANEL = ("vertrouwenspersoon_contact", "mior_contact", "bedrijfsmaatschappelijk_werk_contact", "hr_contact")


def support_contacts() -> list[tuple[str, Markup]]:
    """The "talk to someone" panel: who to turn to in the learner's own organisation, as they filled it in."""
    values = placeholder_values()
    return [(str(CONTACT_LABELS[key]), fill_placeholders("{" + key + "}", values)) for key in SUPPORT_PANEL]


def display_name(name: str | None) -> str:
    """A person's name, or a note that it was erased (retention or an administrator's erasure)."""
    return name or str(_l("(name erased)"))


def register(app: Flask) -> None:
    app.jinja_env.filters["content"] = content_filter
    app.jinja_env.filters["display_name"] = display_name
    app.jinja_env.tests["question"] = lambda part: isinstance(part, Question)
    app.jinja_env.tests["scenario"] = lambda part: isinstance(part, Scenario)
    app.jinja_env.tests["reflection"] = lambda part: isinstance(part, Reflection)

    app.jinja_env.globals["site_header"] = site_header
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["support_contacts"] = support_contacts
