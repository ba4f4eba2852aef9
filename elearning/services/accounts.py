"""Logging in, creating accounts and personal settings."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import PASSWORD_LOGIN_EVERYONE
from ..i18n import _l
from ..models import Person, Role, RoleGrant
from . import audit, login_sessions
from .errors import InvalidInput
from .password_policy import MIN_LENGTH, check_password
from .passwords import hash_password, needs_rehash, verify_password

MIN_PASSWORD_LENGTH = MIN_LENGTH


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


def may_use_password(person: Person, password_login: str) -> bool:
    """Whether this person may log in with a password: everyone, or only administrators when single sign-on is on
    (ELEARNING_PASSWORD_LOGIN=admins), so that a forgotten SSO configuration never locks the administrators out."""
    return password_login == PASSWORD_LOGIN_EVERYONE or person.has_role(Role.ADMIN)


def check_password_rules(person: Person, password: str) -> None:
    """The rules of services/password_policy.py, for this person."""
    check_password(password, person.email)


class WrongPassword(InvalidInput):
    """The current password given to confirm a change is not the person's password."""


def change_password(session: Session, person: Person, current: str, new: str, *, keep_session: int | None) -> int:
    """Change a password after checking the current one; every other login session of the person ends.

    Returns how many other sessions ended. The rules are checked before anything changes.
    """
    if not verify_password(person.password_hash, current):
        raise WrongPassword(_l("Your current password is not correct."))
    if new == current:
        raise InvalidInput(_l("The new password is the same as the current one. Choose another password."))
    set_password(person, new)
    session.flush()
    ended = login_sessions.end_all(session, person.id, keep=keep_session)
    audit.record(session, person, "person.password_change", f"person:{person.id}", sessions_ended=ended)
    return ended


def end_other_sessions(session: Session, person: Person, current: str, *, keep_session: int | None) -> int:
    """Log the person out everywhere but here, after they typed their password again; returns how many ended."""
    if not verify_password(person.password_hash, current):
        raise WrongPassword(_l("Your current password is not correct."))
    ended = login_sessions.end_all(session, person.id, keep=keep_session)
    audit.record(session, person, "person.sessions_end", f"person:{person.id}", sessions_ended=ended)
    return ended


def set_password(person: Person, password: str) -> None:
    """Check the rules, then store only the argon2id hash (not flushed: the caller's flush or commit does it)."""
    check_password_rules(person, password)
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
    login_sessions.end_all(session, person.id)  # a new password (and perhaps a new role): log in again
    return person


def set_preferred_language(person: Person, language: str, languages: tuple[str, ...]) -> None:
    if language not in languages:
        raise InvalidInput(_l("Unknown language: %(language)s", language=language))
    person.preferred_language = language
