"""Issue 9, the core's part: the SECRET_KEY, the Host header, inputs that reached a 500,
invisible characters in names, and the cache on staff pages.

Each test names the OWASP ASVS 5.0 requirement (or chapter) it keeps.
"""

from __future__ import annotations

import pytest

from engage import create_app
from engage.config import DEV_SECRET_KEY, ConfigError

GENERATE_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
STRONG_KEY = "k3y-" + "x" * 60  # long enough; its randomness is not what is tested


# --- the SECRET_KEY ----------------------------------------------------------


def _start(tmp_path, **config):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", **config})


@pytest.mark.parametrize(
    "key",
    ["", "x", "a" * 31, "é" * 15, b"k" * 31, DEV_SECRET_KEY],
)
def test_production_refuses_a_short_or_development_secret_key(monkeypatch, tmp_path, key):
    """ASVS 5.0 V11.2.3 (at least 128 bits of security) and V13.3.1 (no secret from the source)."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError) as refused:
        _start(tmp_path, ENGAGE_ENV="production", SECRET_KEY=key)
    assert GENERATE_KEY in str(refused.value)
    assert "32 bytes" in str(refused.value)


@pytest.mark.parametrize("key", ["a" * 32, "é" * 16, b"\x00" * 32])
def test_production_starts_with_a_key_of_32_bytes(tmp_path, key):
    """ASVS 5.0 V11.2.3: 32 bytes are 256 bits, well above the 128 bits asked for."""
    app = _start(tmp_path, ENGAGE_ENV="production", SECRET_KEY=key, SITE_URL="https://e.example")
    assert app.config["SECRET_KEY"] == key


def test_development_starts_with_any_key(tmp_path):
    assert _start(tmp_path, ENGAGE_ENV="development", SECRET_KEY="x").config["SECRET_KEY"] == "x"
