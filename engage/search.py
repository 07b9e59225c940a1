"""Searching text as people expect: case- and accent-insensitive, one box for several fields.

Text to be searched is folded once, when it is written (a stored column), and
the query is folded the same way, so "ZOE" finds "Zoë" on SQLite and
PostgreSQL alike without an extension.
"""

from __future__ import annotations

import unicodedata

LIKE_ESCAPE = "\\"
# Latin letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans(
    {
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "þ": "th",
        "\u0131": "i",  # dotless i
        "ħ": "h",
        "ŧ": "t",
    }
)


def fold(text: str) -> str:
    """Lower-case, accents removed, runs of whitespace made one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().translate(_UNDECOMPOSED).split())


def contains_pattern(query: str) -> str:
    """A LIKE pattern (escape character LIKE_ESCAPE) for folded text containing `query`."""
    folded = fold(query)
    for special in (LIKE_ESCAPE, "%", "_"):
        folded = folded.replace(special, LIKE_ESCAPE + special)
    return f"%{folded}%"
