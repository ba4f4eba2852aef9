"""E-mails that tell people their password changed, so that a change they did not make does not go unnoticed.

ASVS 2.2.3 and 2.5.5. The mail holds no secret and no link that does anything by itself: it says when, and how to
take the account back (a new password through "Forgot your password?"). A mail that cannot be sent is logged and
does not undo the change.
"""

from __future__ import annotations

import logging
from datetime import datetime

from ..mail import MailError, Sender
from ..mail_text import compose, link
from ..models import Person

log = logging.getLogger(__name__)


def password_changed(sender: Sender, person: Person, now: datetime) -> bool:
    """Tell the person that their password was changed just now; False when the mail could not be sent."""
    if not person.email or "@" not in person.email:
        return False
    mail = compose(
        "password_changed",
        person.email,
        person.preferred_language,
        name=person.name,
        when=now.strftime("%Y-%m-%d %H:%M UTC"),
        reset_url=link("/auth/reset"),
    )
    try:
        sender.send(mail)
    except MailError:
        log.warning("password-changed notice for person %s could not be sent", person.id)
        return False
    return True
