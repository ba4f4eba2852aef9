"""A minimal OpenID Connect provider for the tests: discovery, JWKS, authorize (code + PKCE) and token endpoints.

It signs real RS256 ID tokens with a key made for the test run, and can be told to misbehave: another audience,
an expired token, a signature by a key that is not in its JWKS, another nonce or issuer, other claims.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.wrappers import Request, Response

CLIENT_ID = "elearning-test-client"
CLIENT_SECRET = "client-secret-for-the-tests-only"


@dataclass
class Provider:
    """The provider's state: its keys, the user to log in as, pending codes and what the app sent it."""

    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, private=True))
    other_key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, private=True))
    url: str = ""
    claims: dict[str, Any] = field(default_factory=dict)  # the user's claims in the next ID token
    tamper: dict[str, Any] = field(default_factory=dict)  # aud, exp, iss, nonce, other_key, error
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def reset(self, url: str) -> None:
        self.url = url
        self.claims = {"sub": "user-1"}
        self.tamper = {}
        self.codes.clear()
        self.authorize_requests.clear()
        self.token_requests.clear()

    @property
    def kid(self) -> str:
        return self.key.thumbprint()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        handler = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/authorize": self.authorize,
            "/token": self.token,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def discovery(self, _request: Request) -> Response:
        return _json(
            {
                "issuer": self.tamper.get("discovery_issuer", self.url),
                "authorization_endpoint": self.url + "/authorize",
                "token_endpoint": self.url + "/token",
                "jwks_uri": self.url + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def jwks(self, _request: Request) -> Response:
        public = dict(self.key.as_dict(private=False), kid=self.kid, alg="RS256", use="sig")
        return _json({"keys": [public]})

    def authorize(self, request: Request) -> Response:
        params = dict(request.args)
        self.authorize_requests.append(params)
        if self.tamper.get("error"):
            query = {"error": self.tamper["error"], "state": params.get("state", "")}
            return Response(status=302, headers={"Location": params["redirect_uri"] + "?" + urlencode(query)})
        code = secrets.token_urlsafe(16)
        self.codes[code] = params
        query = {"code": code, "state": params["state"]}
        return Response(status=302, headers={"Location": params["redirect_uri"] + "?" + urlencode(query)})

    def token(self, request: Request) -> Response:
        form = dict(request.form)
        self.token_requests.append(form)
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return _json({"error": "invalid_client"}, 401)
        sent = self.codes.pop(form.get("code", ""), None)
        if sent is None or form.get("redirect_uri") != sent["redirect_uri"]:
            return _json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if sent.get("code_challenge_method") != "S256" or challenge != sent.get("code_challenge"):
            return _json({"error": "invalid_grant", "error_description": "PKCE verification failed"}, 400)
        now = int(time.time())
        claims = {
            "iss": self.tamper.get("iss", self.url),
            "aud": self.tamper.get("aud", CLIENT_ID),
            "iat": now,
            "exp": self.tamper.get("exp", now + 300),
            "nonce": self.tamper.get("nonce", sent.get("nonce")),
            **self.claims,
        }
        signer = self.other_key if self.tamper.get("other_key") else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": self.kid}, claims, signer)
        return _json(
            {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300, "id_token": id_token}
        )


def _json(data: dict[str, Any], status: int = 200) -> Response:
    import json

    return Response(json.dumps(data), status=status, mimetype="application/json")
