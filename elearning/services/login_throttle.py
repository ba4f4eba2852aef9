"""Login throttling: after repeated failures an e-mail address or an IP address is locked for a while.

Counted in the database, so that every app server behind the load balancer sees the same counts. The lock applies
whether or not an account with that address exists, and the login page says the same in both cases, so the lock
reveals nothing about which addresses have an account. Each failure past the threshold doubles the lock, up to a
maximum; a success clears the account's count, and counts are forgotten after a quiet period.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from ..models import LoginThrottle
from .accounts import normalise_email
from .upsert import insert_ignore

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class ThrottlePolicy:
    """Thresholds and lock lengths; the address threshold is high because whole offices share one address."""

    account_failures: int = 5
    address_failures: int = 50
    first_lock: timedelta = timedelta(minutes=1)
    longest_lock: timedelta = timedelta(hours=1)
    # A count starts again after this long without a failure.
    account_memory: timedelta = timedelta(hours=24)
    address_memory: timedelta = timedelta(minutes=15)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ThrottlePolicy:
        """From the app's LOGIN_* settings (see config.py)."""
        return cls(
            account_failures=int(config["LOGIN_ACCOUNT_FAILURES"]),
            address_failures=int(config["LOGIN_ADDRESS_FAILURES"]),
            first_lock=timedelta(minutes=int(config["LOGIN_LOCK_MINUTES"])),
            longest_lock=timedelta(minutes=int(config["LOGIN_LOCK_MAX_MINUTES"])),
        )

    def threshold(self, scope: str) -> int:
        return self.account_failures if scope == ACCOUNT else self.address_failures

    def memory(self, scope: str) -> timedelta:
        return self.account_memory if scope == ACCOUNT else self.address_memory

    def lock_for(self, scope: str, failures: int) -> timedelta | None:
        """How long the `failures`-th failure locks: none below the threshold, then doubling up to the longest."""
        over = failures - self.threshold(scope)
        if over < 0:
            return None
        return min(self.first_lock * (2 ** min(over, 30)), self.longest_lock)


@dataclass(frozen=True)
class ThrottleKeys:
    """The keyed hashes under which one login attempt is counted (no address is stored in the clear)."""

    account: str
    address: str | None

    def pairs(self) -> list[tuple[str, str]]:
        pairs = [(ACCOUNT, self.account)]
        if self.address:
            pairs.append((ADDRESS, self.address))
        return pairs


def _keyed(secret: str, scope: str, value: str) -> str:
    return hmac.new(secret.encode("utf-8"), f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()


def keys_for(secret: str, email: str, address: str | None) -> ThrottleKeys:
    """The keys for a login with this e-mail address from this IP address (None: unknown address)."""
    return ThrottleKeys(
        account=_keyed(secret, ACCOUNT, normalise_email(email)),
        address=_keyed(secret, ADDRESS, address) if address else None,
    )


def locked_until(session: Session, keys: ThrottleKeys, now: datetime) -> datetime | None:
    """The end of the longest lock on these keys, or None when a login may be tried now."""
    until = session.scalar(
        select(func.max(LoginThrottle.locked_until)).where(
            tuple_(LoginThrottle.scope, LoginThrottle.key_hash).in_(keys.pairs()),
            LoginThrottle.locked_until > now,
        )
    )
    return until


def record_failure(session: Session, keys: ThrottleKeys, now: datetime, policy: ThrottlePolicy) -> datetime | None:
    """Count one failed login on every key; returns the end of the lock it caused, if any (the caller commits)."""
    longest: datetime | None = None
    for scope, key in keys.pairs():
        row = {"scope": scope, "key_hash": key, "failures": 0, "last_failure_at": now, "locked_until": None}
        insert_ignore(session, LoginThrottle, row, ["scope", "key_hash"])
        this = (LoginThrottle.scope == scope) & (LoginThrottle.key_hash == key)
        failures = (
            session.connection()
            .execute(
                update(LoginThrottle)
                .where(this)
                .values(
                    # One atomic step, so that concurrent failures on several app servers all count.
                    failures=case(
                        (LoginThrottle.last_failure_at < now - policy.memory(scope), 1),
                        else_=LoginThrottle.failures + 1,
                    ),
                    last_failure_at=now,
                )
                .returning(LoginThrottle.failures)
            )
            .scalar_one()
        )
        lock = policy.lock_for(scope, failures)
        if lock is not None:
            until = now + lock
            session.connection().execute(update(LoginThrottle).where(this).values(locked_until=until))
            longest = until if longest is None else max(longest, until)
    return longest


def record_success(session: Session, keys: ThrottleKeys) -> None:
    """A correct password clears the account's count (an address's count only fades: others may share it)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.scope == ACCOUNT, LoginThrottle.key_hash == keys.account))


def purge(session: Session, now: datetime, policy: ThrottlePolicy) -> int:
    """Delete counts that are forgotten anyway and no longer lock (run nightly by `flask privacy retention`)."""
    stale = or_(
        (LoginThrottle.scope == ACCOUNT) & (LoginThrottle.last_failure_at < now - policy.account_memory),
        (LoginThrottle.scope == ADDRESS) & (LoginThrottle.last_failure_at < now - policy.address_memory),
    )
    unlocked = LoginThrottle.locked_until.is_(None) | (LoginThrottle.locked_until <= now)
    result = session.execute(delete(LoginThrottle).where(stale, unlocked))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
