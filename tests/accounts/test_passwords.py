"""Password hashing and the password policy."""

import pytest
from argon2 import PasswordHasher

from engage.accounts import passwords
from engage.accounts.passwords import PasswordRejected, check_policy


def test_hashes_are_argon2id_and_salted():
    first, second = (
        passwords.hash_password("a long passphrase"),
        passwords.hash_password("a long passphrase"),
    )
    assert first.startswith("$argon2id$")
    assert first != second
    assert "a long passphrase" not in first


def test_verify_accepts_only_the_right_password():
    stored = passwords.hash_password("a long passphrase")
    assert passwords.verify_password(stored, "a long passphrase")
    assert not passwords.verify_password(stored, "a long passphrasE")
    assert not passwords.verify_password(None, "a long passphrase")
    assert not passwords.verify_password("not a hash", "a long passphrase")


def test_hashes_made_with_older_parameters_need_rehashing():
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    assert passwords.needs_rehash(weaker.hash("a long passphrase"))
    assert not passwords.needs_rehash(passwords.hash_password("a long passphrase"))


@pytest.mark.parametrize(
    "accepted",
    [
        "eight ch",  # exactly 8
        "x" * 64,
        "y" * 128,
        "alllowercaseletters",  # no composition rules
        "ünïcödé pässwörd ✓",
    ],
)
def test_policy_accepts(accepted):
    check_policy(accepted)


@pytest.mark.parametrize(
    ("refused", "reason"),
    [
        ("seven c", "8 characters or more"),
        ("z" * 129, "128 characters or fewer"),
        ("password", "too common"),
        ("Password1", "too common"),  # case does not disguise a common password
        ("QWERTYUIOP", "too common"),
        ("iloveyou", "too common"),
        ("12345678", "too common"),
    ],
)
def test_policy_refuses(refused, reason):
    with pytest.raises(PasswordRejected, match=reason):
        check_policy(refused)


def test_the_common_password_list_is_substantial_and_lower_case():
    common = passwords.common_passwords()
    assert len(common) >= 500
    assert all(entry == entry.lower() for entry in common)
    assert {"password", "123456789", "qwerty123", "letmein"} <= common
