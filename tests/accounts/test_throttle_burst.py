"""A burst of wrong guesses at once: no more than the limit are ever verified.

Each attempt reserves a counted slot before its password is verified, in one
atomic step. The gate below holds every verification until all attempts have
either reached one or been refused, so that in the old order (check, verify,
then count) every guess would pass the check first: the control restores that
order and must let more than the limit be verified.
"""

from __future__ import annotations

import os
import secrets
import threading

import pytest

from engage.accounts import passwords, services
from engage.accounts.services import InvalidCredentials, SignInThrottled
from engage.accounts.throttle import (
    SIGN_IN_FAILURES,
    Reservation,
    account_key,
    address_key,
    throttle,
)
from tests.conftest import TEST_PASSWORD

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
STORAGES = ["memory://"] + ([TEST_REDIS_URL] if TEST_REDIS_URL else [])
STORAGE_IDS = {"memory://": "database", TEST_REDIS_URL: "redis"}
BURST = 12
LIMIT = SIGN_IN_FAILURES.amount


class Gate:
    """Holds every verification until each of `expected` attempts is verifying or refused."""

    def __init__(self, expected: int):
        self.expected = expected
        self.arrived = 0
        self.condition = threading.Condition()

    def arrive(self) -> None:
        with self.condition:
            self.arrived += 1
            self.condition.notify_all()

    def wait(self) -> bool:
        # The timeout only turns a deadlock into a failure; nothing waits on the clock.
        with self.condition:
            return self.condition.wait_for(lambda: self.arrived >= self.expected, timeout=60)


@pytest.fixture(params=STORAGES, ids=STORAGE_IDS.get)
def burst(request, make_app, monkeypatch):
    """An app, a client address and an email of this test's own, and a gated verifier."""
    app = make_app(RATELIMIT_STORAGE_URI=request.param)
    address = f"198.51.100.{secrets.randbelow(250) + 1}"
    email = f"guess-{secrets.token_hex(4)}@example.org"
    keys = (address_key(address), account_key(email))
    gate = Gate(BURST)
    verified = []
    real = passwords.verify_password

    def gated(password_hash, password):
        gate.arrive()
        verified.append(gate.wait())
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", gated)

    def clear():
        with app.app_context():
            throttle().clear(SIGN_IN_FAILURES, *keys)

    clear()
    yield app, address, email, keys, gate, verified
    clear()


def _guess_at_once(app, address: str, email: str, gate: Gate) -> list[str]:
    outcomes = []

    def guess():
        with app.app_context():
            try:
                services.authenticate(email, "wrong guess", address=address)
            except InvalidCredentials:
                outcomes.append("failed")
            except SignInThrottled:
                outcomes.append("throttled")
                gate.arrive()

    threads = [threading.Thread(target=guess) for _ in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_a_burst_of_wrong_guesses_verifies_only_the_limit(burst):
    app, address, email, _keys, gate, verified = burst
    outcomes = _guess_at_once(app, address, email, gate)
    assert verified == [True] * LIMIT
    assert outcomes == ["failed"] * LIMIT + ["throttled"] * (BURST - LIMIT)
    with app.app_context():
        assert throttle().blocked_until(SIGN_IN_FAILURES, address_key(address)) is not None


def test_control_checking_then_counting_after_the_verification_lets_the_burst_through(
    burst, monkeypatch
):
    app, address, email, keys, gate, verified = burst
    with app.app_context():
        counters = throttle()

    def check_only(limit, *checked):  # the old order: nothing counted before verifying
        return None if counters.is_blocked(limit, *checked) else Reservation(())

    real_audit = services._audit_failure

    def count_then_audit(user, typed, *, now):  # where the old code counted a failure
        counters.hit(SIGN_IN_FAILURES, *keys)
        real_audit(user, typed, now=now)

    monkeypatch.setattr(counters, "reserve", check_only)
    monkeypatch.setattr(services, "_audit_failure", count_then_audit)
    outcomes = _guess_at_once(app, address, email, gate)
    assert len(verified) > LIMIT
    assert outcomes.count("failed") > LIMIT


@pytest.mark.parametrize("storage_uri", STORAGES, ids=STORAGE_IDS.get)
def test_successful_sign_ins_never_use_up_a_shared_address(make_app, make_user, storage_uri):
    app = make_app(RATELIMIT_STORAGE_URI=storage_uri)
    make_user("org@example.org", password=TEST_PASSWORD)
    address = f"203.0.113.{secrets.randbelow(250) + 1}"
    strangers = [f"stranger-{secrets.token_hex(4)}@example.org" for _ in range(LIMIT + 1)]
    keys = [address_key(address), account_key("org@example.org")]
    keys += [account_key(email) for email in strangers]
    with app.app_context():
        throttle().clear(SIGN_IN_FAILURES, *keys)
        try:
            for email in strangers[: LIMIT - 1]:
                with pytest.raises(InvalidCredentials):
                    services.authenticate(email, "wrong guess", address=address)
            for _ in range(LIMIT + 2):  # each success takes the last slot and gives it back
                services.authenticate("org@example.org", TEST_PASSWORD, address=address)
            with pytest.raises(InvalidCredentials):  # the last slot is still free
                services.authenticate(strangers[-2], "wrong guess", address=address)
            with pytest.raises(SignInThrottled):
                services.authenticate(strangers[-1], "wrong guess", address=address)
        finally:
            throttle().clear(SIGN_IN_FAILURES, *keys)
