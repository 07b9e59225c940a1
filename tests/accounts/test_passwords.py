"""Password hashing and the password policy."""

import pathlib
import subprocess
import sys

import pytest
from argon2 import PasswordHasher, profiles

from engage.accounts import passwords
from engage.accounts.passwords import PasswordRejected, check_policy

ROOT = pathlib.Path(__file__).resolve().parents[2]


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


def test_the_recommended_costs_are_rfc_9106s():
    assert passwords.RECOMMENDED == profiles.RFC_9106_LOW_MEMORY
    recommended = passwords.RECOMMENDED
    assert (recommended.time_cost, recommended.memory_cost, recommended.parallelism) == (
        3,
        64 * 1024,
        4,
    )


def test_a_fresh_process_hashes_with_the_recommended_costs():
    """What a server gets: the suite's cheap costs (tests/conftest.py) never apply there."""
    script = """
from argon2 import PasswordHasher, extract_parameters
from engage.accounts import passwords
print(extract_parameters(passwords.hash_password("x")) == passwords.RECOMMENDED)
print(passwords.is_weaker_than_recommended())
# A missing account costs a full verification: the dummy is a sound hash at these costs.
print(extract_parameters(passwords._dummy_hash) == passwords.RECOMMENDED)
print(PasswordHasher().verify(passwords._dummy_hash, passwords._DUMMY_PASSWORD))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "False", "True", "True"]


def test_the_suite_hashes_cheaply():
    """Control for the test above: this process was configured by tests/conftest.py."""
    assert passwords.is_weaker_than_recommended()


def test_hashes_made_with_other_costs_still_verify():
    stronger = PasswordHasher.from_parameters(passwords.RECOMMENDED).hash("a long passphrase")
    assert passwords.verify_password(stronger, "a long passphrase")
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    stored = weaker.hash("a long passphrase")
    assert passwords.verify_password(stored, "a long passphrase")
    assert not passwords.verify_password(stored, "a long passphrasE")


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
