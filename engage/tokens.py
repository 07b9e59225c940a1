"""Secret tokens sent in links: only their digest is ever stored."""

from __future__ import annotations

import hashlib


def digest(token: str) -> str:
    """The SHA-256 hex digest kept in place of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
