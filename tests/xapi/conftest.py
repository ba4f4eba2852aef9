"""A learning record store on loopback (werkzeug in a thread) and the app with xAPI switched on towards it."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from elearning import create_app

from ..conftest import TEST_CONTENT, World, login

KEY, SECRET = "lrs-key", "lrs-secret-not-for-logs"
BASE_URL = "https://leren.example.org"


@dataclass
class Receiver:
    """An LRS: records every POST to /xapi/statements; answers with the scripted statuses first, then 200."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)  # every statement of every accepted POST
    requests: list[dict[str, Any]] = field(default_factory=list)  # every POST, accepted or not
    script: list[int] = field(default_factory=list)
    reject: Callable[[list[dict[str, Any]]], bool] | None = None  # answer 400 to batches it matches
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self.lock:
            body = json.loads(request.get_data(as_text=True) or "null")
            self.requests.append({"path": request.path, "headers": dict(request.headers), "body": body})
            expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
            if request.headers.get("Authorization") != expected:
                status = 401
            elif self.script:
                status = self.script.pop(0)
            elif self.reject is not None and self.reject(body):
                status = 400
            else:
                status = 200
            if request.method != "POST" or request.path != "/xapi/statements":
                status = 404
            if status == 200:
                self.received.extend(body)
            answer = json.dumps([s["id"] for s in body]) if status == 200 else json.dumps({"error": status})
        return Response(answer, status=status, content_type="application/json")(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    lrs = Receiver()
    server = make_server("127.0.0.1", 0, lrs, threaded=True)
    lrs.url = f"http://127.0.0.1:{server.server_port}/xapi/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield lrs
    server.shutdown()
    thread.join(timeout=5)


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released): connections to it are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def xapi_config(endpoint: str, **extra: Any) -> dict[str, Any]:
    return {
        "XAPI_ENABLED": True,
        "XAPI_ENDPOINT": endpoint,
        "XAPI_KEY": KEY,
        "XAPI_SECRET": SECRET,
        "XAPI_ACTOR_KEY": "a-pseudonym-key-for-the-tests-0123456789",
        "BASE_URL": BASE_URL,
        "XAPI_BATCH_SIZE": 3,
        "XAPI_MAX_ATTEMPTS": 4,
    } | extra


def make_app(database_url: str, tmp_path: Path, **config: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CONTENT_DIR": str(TEST_CONTENT),
            "INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
            "MAIL_BACKEND": "memory",
        }
        | config
    )


@pytest.fixture
def xapi_app(app: Flask, database_url: str, tmp_path: Path, receiver: Receiver) -> Iterator[Flask]:
    """The app with xAPI on, towards the receiver; on the same database as `app` (which empties it afterwards)."""
    on = make_app(database_url, tmp_path, **xapi_config(receiver.url))
    yield on
    on.extensions["db_engine"].dispose()


@pytest.fixture
def learner(xapi_app: Flask, world: World) -> FlaskClient:
    client = xapi_app.test_client()
    login(client, world.employee.email)
    return client
