"""Logging in through the organisation's identity provider (OpenID Connect, authorization code flow with PKCE).

Authlib makes the state, nonce and PKCE verifier (kept in the signed session cookie until the callback), exchanges
the code and checks the ID token's signature against the provider's published keys; the issuer, audience, expiry
and nonce are checked with the options given here. The callback is a GET (the provider redirects the browser), so no
CSRF exemption is needed: the single-use state does that job.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers.response import Response

from ...db import get_session
from ...i18n import _
from ...services import login_throttle
from ...services.sso import INACTIVE, NO_IDENTITY, UNKNOWN, ClaimNames, SsoRefused, person_for_claims
from .. import sessions
from ..redirects import local_path
from . import oidc
from .views import bp

log = logging.getLogger(__name__)
NEXT_KEY = "sso_next"
LEEWAY_SECONDS = 60  # clock difference allowed between the provider and this server
PROBLEMS = frozenset({"unreachable", "issuer"})


def _messages() -> dict[str, tuple[str, int]]:
    """What went wrong, for the person, and the status of the page; the keys also go to the log."""
    again = _("Start again with the button below.")
    return {
        "state": (_("This login has expired or was started in another browser window.") + " " + again, 400),
        "expired": (_("The answer of the identity provider has expired.") + " " + again, 400),
        "signature": (_("The answer of the identity provider could not be verified. Nobody was logged in."), 400),
        "audience": (
            _("The answer of the identity provider was meant for another application. Nobody was logged in."),
            400,
        ),
        "issuer": (_("The answer came from another identity provider than the one configured."), 400),
        "nonce": (_("The answer of the identity provider does not belong to this login. Nobody was logged in."), 400),
        "claims": (_("The answer of the identity provider is incomplete. Nobody was logged in."), 400),
        "provider": (_("The identity provider did not complete the login."), 502),
        "unreachable": (_("The identity provider cannot be reached right now. Try again in a few minutes."), 502),
        UNKNOWN: (
            _(
                "Your account at the identity provider is not linked to anyone on this platform's HR roster. "
                "If you started recently, the next roster import adds you; otherwise ask your HR department."
            ),
            403,
        ),
        INACTIVE: (
            _("Your account on this platform is no longer active. If you think this is wrong, ask your HR department."),
            403,
        ),
        NO_IDENTITY: (
            _(
                "The identity provider did not say who you are (no employee number and no e-mail address). "
                "Ask your service desk."
            ),
            403,
        ),
    }


def _problem(reason: str) -> tuple[str, int]:
    message, status = _messages()[reason]
    log.warning("single sign-on refused: %s", reason)
    return render_template("auth/sso_problem.html", message=message, reason=reason), status


@bp.get("/sso")
def sso_start() -> Response | tuple[str, int]:
    """Go to the identity provider to log in; it sends the browser back to the callback."""
    sso = oidc.client()
    if sso is None:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("learn.dashboard"))
    issuer = _issuer(sso)
    if issuer in PROBLEMS:
        return _problem(issuer)
    session[NEXT_KEY] = local_path(request.args.get("next")) or ""
    redirect_uri = current_app.config["BASE_URL"] + url_for("auth.sso_callback")
    response: Response = sso.authorize_redirect(redirect_uri, ui_locales=str(get_locale() or ""))
    return response


def _issuer(sso: Any) -> str:
    """The issuer as the discovery document spells it (read once per process), or the reason it cannot be used."""
    import requests  # the HTTP and JOSE libraries load with the first single sign-on, not with every worker

    try:
        metadata = sso.load_server_metadata()
    except (requests.RequestException, ValueError):
        return "unreachable"
    issuer = str(metadata.get("issuer") or "")
    if issuer.rstrip("/") != current_app.config["OIDC_ISSUER"]:
        return "issuer"  # the discovery document must name the issuer it was read from
    return issuer


def _claims_options(issuer: str) -> dict[str, dict[str, object]]:
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
        "exp": {"essential": True},
        "nonce": {"essential": True},
    }


def _token_claims(sso: Any) -> dict[str, object] | str:
    """The verified ID token's claims, or the reason why there are none."""
    import requests
    from authlib.integrations.base_client import MismatchingStateError, OAuthError
    from joserfc.errors import ClaimError, ExpiredTokenError, JoseError

    issuer = _issuer(sso)
    if issuer in PROBLEMS:
        return issuer
    try:
        token = sso.authorize_access_token(claims_options=_claims_options(issuer), leeway=LEEWAY_SECONDS)
    except MismatchingStateError:
        return "state"
    except OAuthError:
        return "provider"
    except ExpiredTokenError:
        return "expired"
    except ClaimError as exc:
        return {"aud": "audience", "azp": "audience", "nonce": "nonce", "iss": "issuer"}.get(exc.claim, "claims")
    except JoseError:
        return "signature"
    except requests.RequestException:
        return "unreachable"
    claims = token.get("userinfo")
    if not claims:
        return "claims"
    return dict(claims)


@bp.get("/sso/callback")
def sso_callback() -> Response | tuple[str, int]:
    """Where the identity provider sends the browser back: check the answer, find the person, start a session."""
    sso = oidc.client()
    if sso is None:
        abort(404)
    claims = _token_claims(sso)
    if isinstance(claims, str):
        return _problem(claims)
    config = current_app.config
    db_session = get_session()
    try:
        found = person_for_claims(db_session, claims, ClaimNames.from_config(config), config["LANGUAGES"])
    except SsoRefused as refused:
        db_session.commit()  # the audit event of the refusal
        return _problem(refused.reason)
    person = found.person
    target = local_path(session.get(NEXT_KEY))
    keys = login_throttle.keys_for(config["SECRET_KEY"], person.email, request.remote_addr)
    login_throttle.record_success(db_session, keys)  # the identity provider proved who it is, as a mailed link does
    sessions.begin(person)
    db_session.commit()
    log.info("login via single sign-on for person %s", person.id)
    if found.organisation_matches is False:
        log.warning("single sign-on: the organisation code of person %s differs from the roster's", person.id)
    return redirect(target or url_for("learn.dashboard"))
