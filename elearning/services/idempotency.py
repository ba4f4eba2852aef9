"""One-time form tokens: the first POST with a token has its effect, a repeat (double click, retry) does not."""

from __future__ import annotations

import re
import secrets

from sqlalchemy.orm import Session

from ..i18n import _l
from ..models import UsedFormToken, utcnow
from .errors import InvalidInput
from .upsert import insert_ignore

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(18)


def claim(session: Session, token: str | None) -> bool:
    """True the first time a token is seen, False for a repeat; InvalidInput for a missing or malformed one."""
    if not token or not TOKEN.match(token):
        raise InvalidInput(_l("The form was incomplete. Reload the page and try again."))
    return insert_ignore(session, UsedFormToken, {"token": token, "used_at": utcnow()}, ["token"])
