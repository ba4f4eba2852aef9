"""Password hashing with argon2id, RFC 9106's second recommended profile (64 MiB, 3 passes, 4 lanes).

Stronger than OWASP's minimum (19 MiB, 2 passes, 1 lane) and argon2-cffi's own default, so hashes made before this
was written down stay valid; docs/security.md says why. A hash made with other parameters is replaced at the next
successful login (services/accounts.authenticate).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

# argon2id (type ID: resists both side-channel and GPU attacks), m=65536 KiB, t=3, p=4, 16-byte salt, 32-byte hash.
PARAMETERS = RFC_9106_LOW_MEMORY

_hasher = PasswordHasher.from_parameters(PARAMETERS)


@cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so that both cases take the same time.

    Made on first use, not at import: hashing takes argon2's memory cost, which every process importing the app
    (reports, jobs) would otherwise pay at start.
    """
    return _hasher.hash("not-a-real-password-used-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; also spends the same effort when there is no hash."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters (or another argon2 variant) than PARAMETERS."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
