"""A pretend identity provider for trying single sign-on on a laptop (`make run-sso`); never for real use.

It speaks just enough OpenID Connect for the platform: discovery, a key set, an authorize page where you pick a demo
employee (no password), and a token endpoint that checks the client secret and PKCE and signs an RS256 ID token with
the employee number, e-mail address and language. Its key is made at start-up and lives only in memory.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

CLIENT_ID = "demo-elearning"
CLIENT_SECRET = "demo-secret-for-make-run-sso"  # noqa: S105 - a laptop demo, refused by nothing real  # nosec B105
# employee number, e-mail address, label (the demo people of `flask demo load`), and one the roster does not know
PEOPLE = [
    ("DEMO0001", "medewerker@example.org", "Sanne de Vries (employee)"),
    ("DEMO0002", "leidinggevende@example.org", "Mohamed El Amrani (manager)"),
    ("DEMO0004", "hr@example.org", "Priya Ramdin (HR)"),
    ("DEMO0006", "beheer@example.org", "Kees van Dijk (admin)"),
    ("UNKNOWN-1", "nieuw@example.org", "Someone not on the roster (refused)"),
]


class DemoProvider:
    def __init__(self, url: str):
        self.url = url
        self.key = RSAKey.generate_key(2048, private=True)
        self.codes: dict[str, dict[str, str]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        routes = {
            "/.well-known/openid-configuration": self.discovery,
            "/jwks": self.jwks,
            "/authorize": self.authorize,
            "/token": self.token,
        }
        handler = routes.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def discovery(self, _request: Request) -> Response:
        return _json(
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    def jwks(self, _request: Request) -> Response:
        return _json({"keys": [dict(self.key.as_dict(private=False), kid=self.key.thumbprint(), alg="RS256")]})

    def authorize(self, request: Request) -> Response:
        params = {
            k: request.args.get(k, "") for k in ("redirect_uri", "state", "nonce", "code_challenge", "ui_locales")
        }
        chosen = request.args.get("employee")
        if request.args.get("client_id") != CLIENT_ID or request.args.get("code_challenge_method") != "S256":
            return Response("unknown client, or no PKCE (S256)", status=400)
        if chosen is None:
            links = "".join(
                f'<li><a href="/authorize?{html.escape(urlencode({**request.args, "employee": number}))}">'
                f"{html.escape(label)}</a></li>"
                for number, _email, label in PEOPLE
            )
            page = (
                f"<!doctype html><title>Demo identity provider</title><h1>Demo identity provider</h1>"
                f"<p>Who are you? (No password: this is a demo.)</p><ul>{links}</ul>"
            )
            return Response(page, mimetype="text/html")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**params, "employee": chosen}
        query = urlencode({"code": code, "state": params["state"]})
        return Response(status=302, headers={"Location": f"{params['redirect_uri']}?{query}"})

    def token(self, request: Request) -> Response:
        basic = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != basic:
            return _json({"error": "invalid_client"}, 401)
        sent = self.codes.pop(request.form.get("code", ""), None)
        verifier = request.form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if sent is None or challenge != sent["code_challenge"]:
            return _json({"error": "invalid_grant"}, 400)
        number, email, _label = next(p for p in PEOPLE if p[0] == sent["employee"])
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": f"demo-{number}",
            "iat": now,
            "exp": now + 300,
            "nonce": sent["nonce"],
            "employee_number": number,
            "email": email,
            "locale": sent.get("ui_locales") or "nl",
        }
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.thumbprint()}, claims, self.key)
        bearer = "Bearer"
        return _json({"access_token": secrets.token_urlsafe(16), "token_type": bearer, "id_token": id_token})


def _json(data: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, mimetype="application/json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    args = parser.parse_args()
    url = f"http://{args.host}:{args.port}"
    print(f"demo identity provider on {url} (client id {CLIENT_ID})", flush=True)
    run_simple(args.host, args.port, DemoProvider(url), threaded=True)


if __name__ == "__main__":
    main()
