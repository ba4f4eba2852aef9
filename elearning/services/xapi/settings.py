"""The xAPI settings as one value, made once at start-up and carried by each database session (see record.py)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SESSION_INFO_KEY = "xapi"
PLATFORM = "Sociaal veilig werken"
FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 6 * 3600


@dataclass(frozen=True)
class XapiSettings:
    """Where statements go and how the learner is named in them; credentials are left out of repr."""

    endpoint: str
    base_url: str
    actor: str = "account"
    actor_key: bytes = field(default=b"", repr=False)
    key: str = field(default="", repr=False)
    secret: str = field(default="", repr=False)
    batch_size: int = 50
    timeout_seconds: float = 10.0
    max_attempts: int = 15

    @property
    def safe_endpoint(self) -> str:
        """The endpoint as a log line may show it: without any user name or password in it."""
        parts = urlsplit(self.endpoint)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))

    def pseudonym(self, person_id: int) -> str:
        """A stable name for one person that the store cannot turn back into the person without the key."""
        return hmac.new(self.actor_key, f"person:{person_id}".encode(), hashlib.sha256).hexdigest()[:32]


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failure: 1 minute, doubling each time, at most 6 hours."""
    return int(min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_RETRY_SECONDS))


def from_config(config: Mapping[str, Any]) -> XapiSettings | None:
    """The settings when xAPI is switched on, else None (nothing is queued then)."""
    if not config.get("XAPI_ENABLED"):
        return None
    actor_key = str(config.get("XAPI_ACTOR_KEY") or "")
    if not actor_key:  # a laptop: derived from the secret key (production refuses to start without its own key)
        actor_key = hmac.new(str(config["SECRET_KEY"]).encode(), b"xapi-actor", hashlib.sha256).hexdigest()
    return XapiSettings(
        endpoint=str(config["XAPI_ENDPOINT"]),
        base_url=str(config["BASE_URL"]).rstrip("/"),
        actor=str(config.get("XAPI_ACTOR", "account")),
        actor_key=actor_key.encode(),
        key=str(config.get("XAPI_KEY", "")),
        secret=str(config.get("XAPI_SECRET", "")),
        batch_size=int(config.get("XAPI_BATCH_SIZE", 50)),
        timeout_seconds=float(config.get("XAPI_TIMEOUT_SECONDS", 10)),
        max_attempts=int(config.get("XAPI_MAX_ATTEMPTS", 15)),
    )
