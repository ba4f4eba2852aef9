"""Logging in, creating accounts and personal settings."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..i18n import _l
from ..models import Person, Role, RoleGrant
from .errors import InvalidInput
from .passwords import hash_password, needs_rehash, verify_password

MIN_PASSWORD_LENGTH = 12


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(session: Session, email: str, password: str) -> Person | None:
    """The active person with this e-mail and password, or None; never says which of the two was wrong."""
    person = session.scalar(select(Person).where(func.lower(Person.email) == normalise_email(email)))
    hash_ = person.password_hash if person is not None else None
    if not verify_password(hash_, password) or person is None or not person.active:
        return None
    if hash_ is not None and needs_rehash(hash_):
        person.password_hash = hash_password(password)
        session.flush()
    return person


def set_password(person: Person, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_l("A password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH))
    person.password_hash = hash_password(password)


def create_admin(session: Session, email: str, name: str, password: str) -> Person:
    """Create an administrator, or give an existing person with this e-mail the admin role."""
    email = normalise_email(email)
    if "@" not in email:
        raise InvalidInput(_l("This is not an e-mail address: %(email)s", email=email))
    person = session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, name=name)
        session.add(person)
    set_password(person, password)
    if not person.has_role(Role.ADMIN):
        person.roles.append(RoleGrant(role=Role.ADMIN.value))
    session.flush()
    return person


def set_preferred_language(person: Person, language: str, languages: tuple[str, ...]) -> None:
    if language not in languages:
        raise InvalidInput(_l("Unknown language: %(language)s", language=language))
    person.preferred_language = language
