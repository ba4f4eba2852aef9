"""Single sign-on: which roster person a verified OpenID Connect ID token stands for.

The token itself (signature, issuer, audience, expiry, nonce, state) is checked by Authlib in the web layer; this
module only maps the claims of a valid token to a person: by employee number (the roster's key), or, for people
without one (administrators made with `flask create-admin`), by the e-mail address. Nobody is created here: an
employee unknown to the roster is refused until the roster import brings them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Person
from . import audit
from .accounts import normalise_email

UNKNOWN = "unknown_employee"
INACTIVE = "inactive"
NO_IDENTITY = "no_identity"


class SsoRefused(Exception):
    """A valid token that does not let anyone in: `reason` is one of UNKNOWN, INACTIVE, NO_IDENTITY."""

    def __init__(self, reason: str, person_id: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.person_id = person_id


@dataclass(frozen=True)
class ClaimNames:
    """The names of the claims the identity provider uses (configured, see config.py); empty: not used."""

    employee_number: str
    email: str
    organisation: str
    language: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ClaimNames:
        return cls(
            employee_number=str(config["OIDC_EMPLOYEE_NUMBER_CLAIM"]),
            email=str(config["OIDC_EMAIL_CLAIM"]),
            organisation=str(config["OIDC_ORGANISATION_CLAIM"]),
            language=str(config["OIDC_LANGUAGE_CLAIM"]),
        )


@dataclass(frozen=True)
class SsoLogin:
    """The person a token stands for; `organisation_matches` None when the token names no organisation."""

    person: Person
    organisation_matches: bool | None


def _text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name) if name else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def language_of(value: str, languages: tuple[str, ...]) -> str | None:
    """The interface language a language tag asks for ("en-GB" → "en"), if the platform has it."""
    primary = value.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in languages else None


def _find(session: Session, claims: Mapping[str, Any], names: ClaimNames) -> Person:
    number = _text(claims, names.employee_number)
    if number:
        person = session.scalar(select(Person).where(Person.employee_number == number))
        if person is None:
            raise SsoRefused(UNKNOWN)
        return person
    email = _text(claims, names.email)
    if not email:
        raise SsoRefused(NO_IDENTITY)
    if claims.get("email_verified") is False:
        raise SsoRefused(UNKNOWN)
    # Only people who are not on the roster by number: a roster person is always found by their number.
    person = session.scalar(
        select(Person).where(func.lower(Person.email) == normalise_email(email), Person.employee_number.is_(None))
    )
    if person is None:
        raise SsoRefused(UNKNOWN)
    return person


def person_for_claims(
    session: Session, claims: Mapping[str, Any], names: ClaimNames, languages: tuple[str, ...]
) -> SsoLogin:
    """The active person the claims name; the language claim becomes their language. Refusals are audited."""
    try:
        person = _find(session, claims, names)
        if not person.active or person.anonymised_at is not None:
            raise SsoRefused(INACTIVE, person.id)
    except SsoRefused as refused:
        target = f"person:{refused.person_id}" if refused.person_id else ""
        audit.record(session, None, "login.sso_refused", target, reason=refused.reason)
        raise
    language = language_of(_text(claims, names.language), languages)
    if language:
        person.preferred_language = language
    code = _text(claims, names.organisation)
    matches = None
    if code:
        matches = person.organisation is not None and person.organisation.code.lower() == code.lower()
    session.flush()
    return SsoLogin(person, matches)
