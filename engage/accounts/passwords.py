"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from functools import cache
from importlib import resources

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 128

# RFC 9106's second recommendation (argon2-cffi's default): 3 passes over 64 MiB in 4 lanes.
RECOMMENDED = profiles.RFC_9106_LOW_MEMORY
_DUMMY_PASSWORD = "not a real password: equalises timing"  # noqa: S105 - matches no account

_hasher = PasswordHasher.from_parameters(RECOMMENDED)
# Verified when no account matches, so a missing account takes as long as a wrong password.
# It is _DUMMY_PASSWORD hashed with RECOMMENDED, written out so that importing this module
# (in every worker and CLI process) costs no hashing; tests/accounts/test_passwords.py checks.
_dummy_hash = (
    "$argon2id$v=19$m=65536,t=3,p=4$SKCdW9O+eHI8EuRWytNwDg"
    "$RGDhHha3fV+u4Yar3Bd6DKgSgMTzuOb4bmYF8Qhq3HM"
)


def configure(
    *,
    time_cost: int = RECOMMENDED.time_cost,
    memory_cost: int = RECOMMENDED.memory_cost,
    parallelism: int = RECOMMENDED.parallelism,
) -> None:
    """Hash new passwords with these argon2 costs; without arguments, the recommended ones.

    Only the test suite lowers them: a production app refuses to start with costs below
    RECOMMENDED (engage.config.check). Every hash carries its own costs, so hashes made
    before still verify, and needs_rehash() reports them for upgrading at sign-in.
    """
    global _hasher, _dummy_hash
    hasher = PasswordHasher(
        time_cost=time_cost,
        memory_cost=memory_cost,
        parallelism=parallelism,
        hash_len=RECOMMENDED.hash_len,
        salt_len=RECOMMENDED.salt_len,
        type=RECOMMENDED.type,
    )
    _hasher, _dummy_hash = hasher, hasher.hash(_DUMMY_PASSWORD)


def is_weaker_than_recommended() -> bool:
    """Whether new hashes cost less time, memory or lanes than RECOMMENDED."""
    return (
        _hasher.time_cost < RECOMMENDED.time_cost
        or _hasher.memory_cost < RECOMMENDED.memory_cost
        or _hasher.parallelism < RECOMMENDED.parallelism
    )


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
        return _hasher.verify(password_hash or _dummy_hash, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters and should be replaced."""
    return _hasher.check_needs_rehash(password_hash)
