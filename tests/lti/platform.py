"""A simulated LTI 1.3 platform (an LMS) for the tests: it signs launches, serves its JWKS, and plays the AGS side.

The token endpoint checks the tool's client-credentials JWT against the tool's public key set (from /lti/jwks);
the line item's /scores endpoint checks the bearer token and the media type and keeps what it received.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.wrappers import Request, Response

from elearning.services.lti import claims as c

ISSUER = "https://moodle.example.org"
CLIENT_ID = "tool-client-1"
DEPLOYMENT_ID = "deployment-1"


@dataclass
class Platform:
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, private=True))
    other_key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, private=True))
    url: str = ""
    tool_jwks: dict[str, Any] = field(default_factory=dict)
    fail_scores: int = 0  # answer this many score posts with 503 first
    tokens: set[str] = field(default_factory=set)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)
    jwks_fetches: int = 0

    def reset(self, url: str) -> None:
        self.url = url
        self.tool_jwks = {}
        self.fail_scores = 0
        self.tokens.clear()
        self.token_requests.clear()
        self.scores.clear()
        self.jwks_fetches = 0

    @property
    def kid(self) -> str:
        return self.key.thumbprint()

    def lineitem(self, number: int = 7) -> str:
        """A line item address with a query string, as Moodle makes them."""
        return f"{self.url}/lineitems/{number}/lineitem?type_id=1"

    def id_token(self, login_nonce: str, **changes: Any) -> str:
        """A signed LtiResourceLinkRequest; `changes` replace claims (None removes one); sign_with_other_key."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "moodle-user-42",
            "iat": now,
            "exp": now + 60,
            "nonce": login_nonce,
            "email": "employee@example.org",
            "name": "Employee",
            c.MESSAGE_TYPE: c.RESOURCE_LINK_REQUEST,
            c.VERSION: c.LTI_VERSION,
            c.DEPLOYMENT_ID: DEPLOYMENT_ID,
            c.TARGET_LINK_URI: "https://leren.example.org/lti/launch",
            c.RESOURCE_LINK: {"id": "resource-link-1", "title": "Sociaal veilig werken"},
            c.CUSTOM: {"module": "basis"},
            c.LAUNCH_PRESENTATION: {"locale": "en", "document_target": "window"},
            c.AGS_ENDPOINT: {
                "scope": [c.SCORE_SCOPE, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"],
                "lineitem": self.lineitem(),
                "lineitems": f"{self.url}/lineitems?type_id=1",
            },
        }
        sign_with_other_key = changes.pop("sign_with_other_key", False)
        for name, value in changes.items():
            if value is None:
                payload.pop(name, None)
            else:
                payload[name] = value
        key = self.other_key if sign_with_other_key else self.key
        return jwt.encode({"alg": "RS256", "kid": self.kid, "typ": "JWT"}, payload, key)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/jwks":
            response = self.jwks()
        elif request.path == "/token" and request.method == "POST":
            response = self.token(request)
        elif request.path.endswith("/lineitem/scores") and request.method == "POST":
            response = self.score(request)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def jwks(self) -> Response:
        self.jwks_fetches += 1
        public = dict(self.key.as_dict(private=False), kid=self.kid, alg="RS256", use="sig")
        return _json({"keys": [public]})

    def token(self, request: Request) -> Response:
        form = dict(request.form)
        self.token_requests.append(form)
        if (
            form.get("grant_type") != "client_credentials"
            or form.get("client_assertion_type") != c.CLIENT_ASSERTION_TYPE
        ):
            return _json({"error": "unsupported_grant_type"}, 400)
        try:
            assertion = jwt.decode(
                form["client_assertion"], KeySet.import_key_set(self.tool_jwks), algorithms=["RS256"]
            )
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": CLIENT_ID},
                sub={"essential": True, "value": CLIENT_ID},
                aud={"essential": True, "value": self.url + "/token"},
                exp={"essential": True},
                jti={"essential": True},
            ).validate(assertion.claims)
        except Exception as exc:
            return _json({"error": "invalid_client", "error_description": type(exc).__name__}, 401)
        if c.SCORE_SCOPE not in form.get("scope", "").split():
            return _json({"error": "invalid_scope"}, 400)
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return _json({"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": c.SCORE_SCOPE})

    def score(self, request: Request) -> Response:
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return _json({"error": "unauthorized"}, 401)
        if request.mimetype != c.SCORE_MEDIA_TYPE:
            return _json({"error": "unsupported media type"}, 415)
        if self.fail_scores > 0:
            self.fail_scores -= 1
            return Response("busy", status=503)
        self.scores.append(
            {"path": request.path, "query": request.query_string.decode(), **request.get_json(force=True)}
        )
        return Response(status=204)


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def new_nonce() -> str:
    return uuid.uuid4().hex
