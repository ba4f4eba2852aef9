"""The password rules in one place: long enough, not a common password, not the e-mail address; nothing else.

No composition rules (digits, capitals, symbols) and no expiry: they make passwords weaker in practice (NIST SP
800-63B, OWASP ASVS). The common-password list ships with the app (data/common-passwords.txt; its sources are in
scripts/common_passwords.py and docs/security.md); no password ever leaves the server to be checked.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..i18n import _l
from .errors import InvalidInput

MIN_LENGTH = 12
# ASVS 4.0.3 2.1.2: at least 64 characters allowed, more than 128 refused (hashing ever longer input is a cost).
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
_SEPARATORS = re.compile(r"[\s\-_.]+")


def normalise(password: str) -> str:
    """The form passwords are compared in: case folded, spaces and - _ . left out ("Wacht woord-2026")."""
    return _SEPARATORS.sub("", password.casefold())


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list, read once per process."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    return normalise(password) in common_passwords()


def check_password(password: str, email: str | None) -> None:
    """Raise InvalidInput with a message that says what to do when `password` may not be used."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(_l("A password needs at least %(count)s characters.", count=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise InvalidInput(_l("A password may have at most %(count)s characters.", count=MAX_LENGTH))
    if email and normalise(password) in {normalise(email), normalise(email.split("@", 1)[0])}:
        raise InvalidInput(_l("Your password may not be your e-mail address."))
    if is_common(password):
        raise InvalidInput(
            _l(
                "This password is on a list of common passwords that attackers try first. "
                "Choose another one, for example a sentence of four or more words that only you would think of."
            )
        )
