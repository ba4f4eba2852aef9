"""An LTI 1.3 launch: the third-party initiated login, then every check of the id_token the LMS posts back.

The checks follow the 1EdTech Security Framework (§5.1.3) and LTI Core (§5.3): a registered, active issuer and
client id; a signature by a key of the platform's key set (RS256 only); issuer, audience (and azp), expiry and
issue time; the nonce made at login, bound to the state, unused and unexpired, marked used in one guarded UPDATE
(so a replay is refused on every app server); the state also in the browser's cookie; a registered deployment id;
an LtiResourceLinkRequest of LTI 1.3.0 with a resource link and a user.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from base64 import urlsafe_b64decode
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ...models import LtiNonce, LtiPlatform
from . import claims as c
from .platform_keys import KeySetUnavailable, PlatformKeys
from .registrations import for_launch, issuer_known

NONCE_LIFETIME = timedelta(minutes=10)
LEEWAY_SECONDS = 60
MAX_TOKEN_LENGTH = 64 * 1024


class LaunchRefused(Exception):
    """A login or launch that is not accepted; `reason` names the check (for the page and the log)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LoginRedirect:
    """Where to send the browser for the platform's authentication step, and the state to keep in its cookie."""

    url: str
    state: str


@dataclass(frozen=True)
class Launch:
    """A launch that passed every check."""

    platform: LtiPlatform
    claims: Mapping[str, Any]

    @property
    def user_id(self) -> str:
        return str(self.claims["sub"])

    @property
    def deployment_id(self) -> str:
        return str(self.claims[c.DEPLOYMENT_ID])

    @property
    def resource_link_id(self) -> str:
        return str(self.claims[c.RESOURCE_LINK]["id"])

    @property
    def custom(self) -> Mapping[str, Any]:
        custom = self.claims.get(c.CUSTOM)
        return custom if isinstance(custom, dict) else {}

    @property
    def target_link_uri(self) -> str:
        return str(self.claims.get(c.TARGET_LINK_URI) or "")

    @property
    def locale(self) -> str:
        presentation = self.claims.get(c.LAUNCH_PRESENTATION)
        return str(presentation.get("locale") or "") if isinstance(presentation, dict) else ""

    @property
    def lineitem_url(self) -> str | None:
        """The line item to post scores to, if the platform grants the score scope for this launch."""
        endpoint = self.claims.get(c.AGS_ENDPOINT)
        if not isinstance(endpoint, dict) or c.SCORE_SCOPE not in (endpoint.get("scope") or []):
            return None
        lineitem = endpoint.get("lineitem")
        return str(lineitem) if isinstance(lineitem, str) and lineitem else None


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def begin_login(session: Session, params: Mapping[str, str], launch_url: str, now: datetime) -> LoginRedirect:
    """Third-party initiated login: remember a fresh state and nonce, and send the browser to the platform."""
    issuer = params.get("iss", "")
    login_hint = params.get("login_hint", "")
    if not issuer or not login_hint or not params.get("target_link_uri"):
        raise LaunchRefused("incomplete_login")
    platform = for_launch(session, issuer, params.get("client_id") or None)
    if platform is None:
        raise LaunchRefused("unknown_platform")
    deployment = params.get("lti_deployment_id")
    if deployment and deployment not in platform.deployment_ids:
        raise LaunchRefused("deployment")
    session.execute(delete(LtiNonce).where(LtiNonce.expires_at < now))  # nothing older can be used anyway
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        LtiNonce(nonce=nonce, platform_id=platform.id, state_hash=_hash(state), expires_at=now + NONCE_LIFETIME)
    )
    session.flush()
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return LoginRedirect(platform.auth_login_url + separator + urlencode(query), state)


def _unverified(id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before the signature is checked: only to find the platform and its key."""
    try:
        header_part, payload_part, _signature = id_token.split(".")
        header = json.loads(urlsafe_b64decode(header_part + "=" * (-len(header_part) % 4)))
        payload = json.loads(urlsafe_b64decode(payload_part + "=" * (-len(payload_part) % 4)))
    except ValueError as exc:
        raise LaunchRefused("malformed") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise LaunchRefused("malformed")
    return header, payload


def _audiences(payload: Mapping[str, Any]) -> list[str]:
    audience = payload.get("aud")
    if isinstance(audience, str):
        return [audience]
    if isinstance(audience, list):
        return [str(a) for a in audience if isinstance(a, str)]
    return []


def _platform(session: Session, payload: Mapping[str, Any]) -> LtiPlatform:
    """The registration of the token's issuer whose client id is among its audiences."""
    issuer = payload.get("iss")
    if not isinstance(issuer, str):
        raise LaunchRefused("unknown_platform")
    for client_id in _audiences(payload):
        platform = for_launch(session, issuer, client_id)
        if platform is not None:
            return platform
    if issuer_known(session, issuer):
        raise LaunchRefused("audience")  # a registered LMS, but the token is for another tool
    raise LaunchRefused("unknown_platform")


def _verified(id_token: str, platform: LtiPlatform, keys: PlatformKeys, now: datetime) -> dict[str, Any]:
    from joserfc import jwt  # with cryptography: loaded at the first launch, not with every worker
    from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError

    try:
        try:
            token = jwt.decode(id_token, keys.get(platform.key_set_url), algorithms=["RS256"])
        except InvalidKeyIdError:  # a key the cached set does not have yet: the platform may have rotated
            token = jwt.decode(id_token, keys.get(platform.key_set_url, refresh=True), algorithms=["RS256"])
    except KeySetUnavailable as exc:
        raise LaunchRefused("keys_unavailable") from exc
    except JoseError as exc:
        raise LaunchRefused("signature") from exc
    registry = jwt.JWTClaimsRegistry(
        now=int(now.timestamp()),
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": platform.issuer},
        aud={"essential": True, "value": platform.client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(token.claims)
    except ExpiredTokenError as exc:
        raise LaunchRefused("expired") from exc
    except ClaimError as exc:
        raise LaunchRefused("audience" if exc.claim in {"aud", "iss"} else "claims") from exc
    claims: dict[str, Any] = dict(token.claims)
    azp = claims.get("azp")
    if azp is not None and azp != platform.client_id:
        raise LaunchRefused("audience")
    return claims


def _use_nonce(session: Session, platform: LtiPlatform, nonce: str, state: str, now: datetime) -> None:
    """Mark the nonce used, once: a second launch with it (a replay) finds it used and is refused."""
    used = session.execute(
        update(LtiNonce)
        .where(
            LtiNonce.nonce == nonce,
            LtiNonce.platform_id == platform.id,
            LtiNonce.state_hash == _hash(state),
            LtiNonce.used_at.is_(None),
            LtiNonce.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount == 1:  # type: ignore[attr-defined]
        return
    known = session.scalar(select(LtiNonce.used_at).where(LtiNonce.nonce == nonce, LtiNonce.platform_id == platform.id))
    raise LaunchRefused("replay" if known is not None else "state")


def validate_launch(
    session: Session, id_token: str, state: str, browser_state: str | None, keys: PlatformKeys, now: datetime
) -> Launch:
    """Every check of a resource link launch; the nonce is used up only when the token itself is valid."""
    if not id_token or not state or len(id_token) > MAX_TOKEN_LENGTH:
        raise LaunchRefused("incomplete_launch")
    if browser_state is None or not secrets.compare_digest(browser_state, state):
        raise LaunchRefused("browser")
    header, payload = _unverified(id_token)
    if header.get("alg") != "RS256":
        raise LaunchRefused("signature")
    platform = _platform(session, payload)
    claims = _verified(id_token, platform, keys, now)
    _use_nonce(session, platform, str(claims["nonce"]), state, now)
    if claims.get(c.DEPLOYMENT_ID) not in platform.deployment_ids:
        raise LaunchRefused("deployment")
    if claims.get(c.MESSAGE_TYPE) != c.RESOURCE_LINK_REQUEST or claims.get(c.VERSION) != c.LTI_VERSION:
        raise LaunchRefused("message_type")
    link = claims.get(c.RESOURCE_LINK)
    if not isinstance(link, dict) or not link.get("id") or not str(claims.get("sub") or ""):
        raise LaunchRefused("claims")
    return Launch(platform, claims)
