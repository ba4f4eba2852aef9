"""The LMSes' published keys (their JWKS), fetched over HTTPS and kept for an hour per process.

A launch signed with a key id the cached set does not have makes one fresh fetch (the LMS rotated its key); fetches
are rate-limited per URL, so a stream of forged launches with made-up key ids cannot make us hammer the LMS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joserfc.jwk import KeySet

CACHE_SECONDS = 3600
MIN_REFETCH_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 10


class KeySetUnavailable(Exception):
    """The platform's key set could not be fetched or read."""


def _fetch_with_requests(url: str) -> dict[str, Any]:
    import requests  # the HTTP and JOSE libraries load with the first launch, not with every worker

    response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS, headers={"Accept": "application/json"})
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


class PlatformKeys:
    """A per-process cache of key sets by URL; `fetch` is replaceable for tests."""

    def __init__(
        self, fetch: Callable[[str], dict[str, Any]] = _fetch_with_requests, clock: Callable[[], float] = time.time
    ):
        self._fetch = fetch
        self._clock = clock
        self._sets: dict[str, tuple[KeySet, float]] = {}
        self._lock = threading.Lock()

    def get(self, url: str, *, refresh: bool = False) -> KeySet:
        """The key set at `url`, from the cache unless it is old or `refresh` asks for a new copy."""
        import requests
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        now = self._clock()
        with self._lock:
            cached = self._sets.get(url)
        if cached is not None:
            key_set, fetched_at = cached
            age = now - fetched_at
            if age < CACHE_SECONDS and (not refresh or age < MIN_REFETCH_SECONDS):
                return key_set
        try:
            key_set = KeySet.import_key_set(self._fetch(url))  # type: ignore[arg-type]
        except (requests.RequestException, JoseError, ValueError, KeyError, TypeError) as exc:
            raise KeySetUnavailable(type(exc).__name__) from exc
        with self._lock:
            self._sets[url] = (key_set, now)
        return key_set
