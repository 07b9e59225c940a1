"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 128

_hasher = PasswordHasher()
# Verified when no account matches, so a missing account takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password: equalises timing")


class PasswordRejected(ValueError):
    """The password breaks the policy; the message says why, for the person choosing it."""


@cache
def common_passwords() -> frozenset[str]:
    """The most common passwords, lower-cased (engage/accounts/common_passwords.txt)."""
    text = resources.files("engage.accounts").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def check_policy(password: str) -> None:
    """Raise PasswordRejected unless the password is long enough and not a common one."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(f"Password must be {MIN_LENGTH} characters or more")
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"Password must be {MAX_LENGTH} characters or fewer")
    if password.lower() in common_passwords():
        raise PasswordRejected("That password is too common: choose one that is harder to guess")


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash (always False for accounts without one)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters and should be replaced."""
    return _hasher.check_needs_rehash(password_hash)
