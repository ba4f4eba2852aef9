"""The learner's organisation contacts for the content's placeholders, cached for a minute per unit and worker.

A change an HR adviser makes shows on every page within CACHE_SECONDS; in return the lesson page reads no extra row.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from threading import Lock

from flask import current_app, g, has_request_context
from flask_login import current_user

from ..db import get_session
from ..services.unit_settings import resolve

CACHE_SECONDS = 60.0

_lock = Lock()
_EXTENSION = "unit_contacts_cache"
# Set while a shared (cached) fragment is rendered: placeholders stay as {name}, to be filled per learner.
raw_placeholders: ContextVar[bool] = ContextVar("raw_placeholders", default=False)


def placeholder_values() -> dict[str, str]:
    """The values of the current learner's unit (an empty dict: the defaults apply)."""
    if not has_request_context():
        return {}
    if "placeholder_values" in g:
        return dict(g.placeholder_values)
    unit_id = getattr(current_user, "organisation_id", None) if current_user else None
    values = _for_unit(unit_id) if unit_id else {}
    g.placeholder_values = values
    return values


def _cache() -> dict[int, tuple[float, dict[str, str]]]:
    """This app's cache (one per app, so that apps in one process, as in the tests, never share contacts)."""
    cache: dict[int, tuple[float, dict[str, str]]] | None = current_app.extensions.get(_EXTENSION)
    if cache is None:
        with _lock:
            cache = current_app.extensions.setdefault(_EXTENSION, {})
    return cache


def _for_unit(unit_id: int) -> dict[str, str]:
    now = time.monotonic()
    cache = _cache()
    cached = cache.get(unit_id)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    values = resolve(get_session(), unit_id)
    with _lock:
        cache[unit_id] = (now, values)
    return values


def forget() -> None:
    """Drop this worker's cache after a change made through it (units below inherit, so all of it; other workers
    follow within CACHE_SECONDS)."""
    cache = _cache()
    with _lock:
        cache.clear()
