"""Where a sign-in may send someone next: paths on this site only."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\]")  # controls, spaces and backslashes


def safe_next(target: str | None) -> str | None:
    """The target if it is a path on this site; None for anything that could leave it.

    Browsers read "\\" as "/" and drop tabs and line breaks, so "/\\evil.example"
    and "/\\t/evil.example" would leave the site: any such character is refused.
    """
    if not target or len(target) > 2000 or _UNSAFE.search(target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
