"""The tool's own RSA key: signs the AGS token requests; its public half is the JWKS the LMS reads at /lti/jwks.

Kept in a PEM file (ELEARNING_LTI_KEY_FILE, default instance/lti-tool-key.pem, mode 600), not in the database, like
the secret key: every app server needs the same file. The key id is the RFC 7638 thumbprint, so a new key gets a new
id and the LMS fetches the key set again when it meets it.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # joserfc (with cryptography) loads when a key is first used, not with every worker
    from joserfc.jwk import RSAKey

ALGORITHM = "RS256"
KEY_BITS = 2048
ASSERTION_SECONDS = 300


@dataclass(frozen=True)
class ToolKey:
    """The tool's key pair with its key id."""

    key: RSAKey

    @property
    def kid(self) -> str:
        return self.key.thumbprint()

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public key set, as served at /lti/jwks."""
        public = dict(self.key.as_dict(private=False))
        public.update({"kid": self.kid, "alg": ALGORITHM, "use": "sig"})
        return {"keys": [public]}

    def sign(self, claims: dict[str, Any]) -> str:
        from joserfc import jwt

        return jwt.encode({"alg": ALGORITHM, "kid": self.kid, "typ": "JWT"}, claims, self.key)

    def client_assertion(self, client_id: str, audience: str, now: float | None = None) -> str:
        """A signed JWT that proves to the LMS's token endpoint that this tool asks (RFC 7523, LTI Security §4.1)."""
        issued = int(now if now is not None else time.time())
        return self.sign(
            {
                "iss": client_id,
                "sub": client_id,
                "aud": audience,
                "iat": issued,
                "exp": issued + ASSERTION_SECONDS,
                "jti": uuid.uuid4().hex,
            }
        )


def load(path: Path) -> ToolKey | None:
    """The key in `path`, or None when there is no file yet (`flask lti generate-key` makes one)."""
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return None
    from joserfc.jwk import RSAKey

    return ToolKey(RSAKey.import_key(pem))


def generate(path: Path, *, replace: bool = False) -> ToolKey:
    """Make a new key in `path` (readable by its owner only); an existing key is kept unless `replace`."""
    if path.exists() and not replace:
        existing = load(path)
        if existing is None:  # exists, so load found it; a race with a deletion lands here
            raise FileNotFoundError(path)
        return existing
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(KEY_BITS, private=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.as_pem(private=True))
    partial.replace(path)
    return ToolKey(key)
