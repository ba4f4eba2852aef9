"""The OpenID Connect client (Authlib), made once per app when ELEARNING_OIDC_ISSUER is set.

Nothing is fetched at start-up: Authlib reads the issuer's discovery document at the first SSO login and keeps it
(and the provider's key set, fetched again when a token names an unknown key) for the life of the process.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app

EXTENSION = "oidc_client"
DISCOVERY_PATH = "/.well-known/openid-configuration"
HTTP_TIMEOUT_SECONDS = 10


def register(app: Flask) -> None:
    """Register the identity provider as Authlib's client "sso" (authorization code flow with PKCE, S256)."""
    issuer = app.config["OIDC_ISSUER"]
    if not issuer:
        return
    from authlib.integrations.flask_client import OAuth  # with its JOSE stack, only when single sign-on is set up

    # Authlib logs the PKCE verifier at DEBUG: keep its loggers at INFO so that no secret reaches a log.
    logging.getLogger("authlib").setLevel(max(logging.INFO, logging.getLogger("authlib").level))
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth.register(
        "sso",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer + DISCOVERY_PATH,
        client_kwargs={
            "scope": app.config["OIDC_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT_SECONDS,
        },
    )


def client() -> Any | None:
    """The app's OpenID Connect client, or None when single sign-on is not configured."""
    return current_app.extensions.get(EXTENSION)


def enabled() -> bool:
    return EXTENSION in current_app.extensions
