"""How a batch of statements reaches the store: POST to its statements resource, or, on a laptop, files in a folder."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPException
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from .settings import XapiSettings

XAPI_VERSION_HEADER = "1.0.3"


@dataclass(frozen=True)
class Answer:
    """What the store said: an HTTP status (0 when it could not be reached) and a reason free of personal data."""

    status: int
    reason: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def refused_credentials(self) -> bool:
        return self.status in (401, 403)

    @property
    def rejected_content(self) -> bool:
        """The store did not accept the statements themselves (one bad statement spoils a whole batch)."""
        return self.status in (400, 409, 413, 422)


class Transport(Protocol):
    def post(self, statements: list[dict[str, Any]]) -> Answer: ...


class HttpTransport:
    """POST <endpoint>/statements with HTTP basic authentication and the xAPI version header (xAPI 1.0.3, 2.1.2)."""

    def __init__(self, settings: XapiSettings):
        if not settings.endpoint.startswith(("https://", "http://")):
            raise ValueError("the HTTP transport takes an http(s) endpoint")
        self.url = settings.endpoint.rstrip("/") + "/statements"
        self.timeout = settings.timeout_seconds
        credentials = f"{settings.key}:{settings.secret}".encode()
        self.headers = {
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION_HEADER,
            "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
        }

    def post(self, statements: list[dict[str, Any]]) -> Answer:
        body = json.dumps(statements, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, headers=self.headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only  # nosec B310
                response.read()
                return Answer(response.status, f"HTTP {response.status}")
        except urllib.error.HTTPError as exc:  # the store answered, with an error status
            exc.close()
            return Answer(exc.code, f"HTTP {exc.code} {exc.reason}"[:200])
        except urllib.error.URLError as exc:
            return Answer(0, _unreachable(exc.reason))
        except (OSError, HTTPException) as exc:  # a timeout, a reset connection, a broken answer
            return Answer(0, _unreachable(exc))


def _unreachable(reason: object) -> str:
    """'connection refused', 'timed out', …: the error's own words, never the URL or the statements."""
    if isinstance(reason, OSError) and reason.strerror:
        text = reason.strerror
    elif isinstance(reason, TimeoutError):
        text = "timed out"
    else:
        text = str(reason) or type(reason).__name__
    return f"unreachable: {text}"[:200].lower()


class FileTransport:
    """For a laptop or a demo: every batch becomes one JSON file in a folder (ELEARNING_XAPI_ENDPOINT=file:///…)."""

    def __init__(self, settings: XapiSettings):
        self.folder = Path(unquote(urlsplit(settings.endpoint).path))

    def post(self, statements: list[dict[str, Any]]) -> Answer:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            path = self.folder / f"statements-{stamp}-{statements[0]['id'][:8]}.json"
            path.write_text(json.dumps(statements, ensure_ascii=False, indent=2), encoding="utf-8")
        except OSError as exc:
            return Answer(0, _unreachable(exc))
        return Answer(200, "written")


def make_transport(settings: XapiSettings) -> Transport:
    if settings.endpoint.startswith("file://"):
        return FileTransport(settings)
    return HttpTransport(settings)
