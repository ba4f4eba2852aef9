"""Invitations and password resets: one-time, expiring links sent by e-mail, of which only a hash is stored."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from ..i18n import _l
from ..mail import MailError, Sender
from ..mail_text import compose, link
from ..models import AccountToken, Person, TokenPurpose
from . import audit, login_sessions
from .accounts import normalise_email, set_password
from .errors import InvalidInput

log = logging.getLogger(__name__)

TOKEN_BYTES = 32
# At most one reset mail per address in this window, so the form cannot be used to flood a mailbox.
RESET_THROTTLE = timedelta(minutes=5)
_PATHS = {TokenPurpose.INVITATION: "/auth/invitation/", TokenPurpose.PASSWORD_RESET: "/auth/reset/"}


class TokenError(InvalidInput):
    """A link that cannot be used; `reason` is unknown, expired or used (for the page that says what to do)."""

    def __init__(self, reason: str, message: object, person_id: int | None = None):
        super().__init__(message)
        self.reason = reason
        # Only for a used link: lets the web layer send the person who just used it on instead of scolding them.
        self.person_id = person_id


class MailNotSent(InvalidInput):
    """The mail relay failed; `sent` invitations went out before it did and stay valid if the caller commits."""

    def __init__(self, message: object, sent: int = 0):
        super().__init__(message)
        self.sent = sent


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _invalidate(
    session: Session, person: Person, now: datetime, *, purpose: TokenPurpose | None, keep: int | None = None
) -> None:
    """Mark the person's other unused tokens (of one purpose, or of all purposes) as used."""
    query = update(AccountToken).where(AccountToken.person_id == person.id, AccountToken.used_at.is_(None))
    if keep is not None:
        query = query.where(AccountToken.id != keep)
    if purpose is not None:
        query = query.where(AccountToken.purpose == purpose.value)
    session.execute(query.values(used_at=now))


def _send(
    session: Session, sender: Sender, person: Person, purpose: TokenPurpose, now: datetime, lifetime: timedelta
) -> None:
    """Store a new token, mail its link, and only then retire the earlier ones; a failed mail leaves no trace."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = AccountToken(
        person_id=person.id, purpose=purpose.value, token_hash=_hash(token), created_at=now, expires_at=now + lifetime
    )
    session.add(row)
    session.flush()  # a database problem surfaces before a mail with a dead link goes out
    mail = compose(
        purpose.value,
        person.email,
        person.preferred_language,
        name=person.name,
        url=link(_PATHS[purpose] + token),
        expires_at=row.expires_at,
        days=lifetime.days,
        minutes=int(lifetime.total_seconds() // 60),
    )
    try:
        sender.send(mail)
    except MailError:
        log.warning("%s mail for person %s could not be sent", purpose.value, person.id)
        session.delete(row)
        session.flush()
        raise MailNotSent(_l("The e-mail could not be sent. Nothing was changed; try again later.")) from None
    _invalidate(session, person, now, purpose=purpose, keep=row.id)


def send_invitation(
    session: Session, sender: Sender, person: Person, *, actor: Person | None, now: datetime, days: int
) -> None:
    """Mail the person a link to choose a password; an earlier invitation stops working."""
    if not person.active:
        raise InvalidInput(_l("This person is not active and cannot be invited."))
    if not person.email or "@" not in person.email:
        raise InvalidInput(_l("This person has no e-mail address and cannot be invited."))
    _send(session, sender, person, TokenPurpose.INVITATION, now, timedelta(days=days))
    audit.record(session, actor, "person.invite", f"person:{person.id}", days=days)


def invite_pending(session: Session, sender: Sender, *, now: datetime, days: int) -> int:
    """Invite every active person who has no password and no open invitation; returns how many were sent."""
    open_invitation = exists().where(
        AccountToken.person_id == Person.id,
        AccountToken.purpose == TokenPurpose.INVITATION.value,
        AccountToken.used_at.is_(None),
        AccountToken.expires_at > now,
    )
    pending = session.scalars(
        select(Person)
        .where(Person.active.is_(True), Person.password_hash.is_(None), Person.email.contains("@"), ~open_invitation)
        .order_by(Person.id)
    ).all()
    sent = 0
    for person in pending:
        try:
            send_invitation(session, sender, person, actor=None, now=now, days=days)
        except MailNotSent as exc:
            raise MailNotSent(
                _l("The mail server failed after %(count)s invitation(s); try again later for the rest.", count=sent),
                sent=sent,
            ) from exc
        sent += 1
    return sent


def request_password_reset(session: Session, sender: Sender, email: str, *, now: datetime, minutes: int) -> None:
    """Mail a reset link to an active person with this address; for any other address nothing visible happens."""
    person = session.scalar(select(Person).where(func.lower(Person.email) == normalise_email(email)))
    if person is None or not person.active:
        return
    latest = session.scalar(
        select(func.max(AccountToken.created_at)).where(
            AccountToken.person_id == person.id, AccountToken.purpose == TokenPurpose.PASSWORD_RESET.value
        )
    )
    if latest is not None and now - latest < RESET_THROTTLE:
        return
    _send(session, sender, person, TokenPurpose.PASSWORD_RESET, now, timedelta(minutes=minutes))


def check_token(session: Session, token: str, purpose: TokenPurpose, now: datetime) -> Person:
    """The person whose link this is; TokenError naming the problem (unknown, expired, used) otherwise."""
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == _hash(token))) if token else None
    if row is None or row.purpose != purpose.value or not row.person.active:
        raise TokenError("unknown", _l("This link is not valid. Check that you used the whole link from the e-mail."))
    if row.used_at is not None:
        raise TokenError("used", _l("This link has already been used."), person_id=row.person_id)
    if row.expires_at <= now:
        raise TokenError("expired", _l("This link has expired."))
    return row.person


def redeem(session: Session, token: str, purpose: TokenPurpose, password: str, now: datetime) -> Person:
    """Set the password through a link, once: the link, every other open link and every session of the person end."""
    person = check_token(session, token, purpose, now)
    set_password(person, password)
    used = session.execute(
        update(AccountToken)
        .where(AccountToken.token_hash == _hash(token), AccountToken.used_at.is_(None))
        .values(used_at=now)
    )
    if not used.rowcount:  # type: ignore[attr-defined]  # a concurrent request used it first
        raise TokenError("used", _l("This link has already been used."), person_id=person.id)
    _invalidate(session, person, now, purpose=None)
    # Whoever knew the old password (or held an old session) is logged out; the caller starts a new session.
    login_sessions.end_all(session, person.id)
    audit.record(session, person, "person.password_set", f"person:{person.id}", purpose=purpose.value)
    return person
