"""Compose e-mails from templates in the recipient's language, inside or outside a request (cron jobs)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale

from .mail import Mail


def link(path: str) -> str:
    """An absolute link for an e-mail: ELEARNING_BASE_URL plus a path (no request needed)."""
    return f"{current_app.config['BASE_URL']}/{path.lstrip('/')}"


def compose(template: str, to: str, language: str | None, **context: Any) -> Mail:
    """Render templates/mail/<template>.subject.txt and .txt in `language` (default: the platform's)."""
    languages = current_app.config["LANGUAGES"]
    locale = language if language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    # Straight from the Jinja environment: a mail owes nothing to the page context processors (user, request).
    environment = current_app.jinja_env
    with force_locale(locale):
        subject = environment.get_template(f"mail/{template}.subject.txt").render(**context).strip()
        body = environment.get_template(f"mail/{template}.txt").render(**context).strip() + "\n"
    return Mail(to=to, subject=" ".join(subject.split()), body=body)
