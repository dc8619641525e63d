"""Pseudonymous shopper keys: a keyed hash of the raw user id, the only form ever stored.

``HMAC-SHA256(user_id_secret, user_id)``, hex, first 32 characters (128 bits). Without
the secret a key cannot be linked back to an id by hashing guessed ids. Changing the
secret orphans every stored profile (they no longer match any id): the event store
records a fingerprint of the secret and refuses to open with a different one.
"""

from __future__ import annotations

import hashlib
import hmac

KEY_CHARS = 32
DEFAULT_SECRET = "change-me-in-production"


class Pseudonymizer:
    """Turns raw shopper ids into stable pseudonymous keys.

    Args:
        secret: The ``user_id_secret`` setting.
    """

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("user_id_secret must not be empty")
        self._key = secret.encode("utf-8")
        self.is_default = secret == DEFAULT_SECRET

    def __call__(self, user_id: str) -> str:
        """The pseudonymous key of ``user_id`` (the raw id is used exactly as given)."""
        return hmac.new(self._key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()[:KEY_CHARS]

    def fingerprint(self) -> str:
        """Identifies the secret without revealing it (stored beside the pseudonyms)."""
        return hmac.new(self._key, b"zhsearch/events/fingerprint", hashlib.sha256).hexdigest()[:16]
