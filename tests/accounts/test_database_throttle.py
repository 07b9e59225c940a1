"""The database keeps the sign-in counts when no shared store is configured."""

import datetime as dt

import pytest
import time_machine
from limits import parse

from engage.accounts import services
from engage.accounts.models import ThrottleHit
from engage.accounts.throttle import (
    LONGEST_WINDOW,
    RESET_REQUESTS,
    SIGN_IN_FAILURES,
    DatabaseThrottle,
    StorageThrottle,
    account_key,
    address_key,
    throttle,
)
from engage.extensions import db
from tests.conftest import TEST_PASSWORD

START = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
ACCOUNT = account_key("org@example.org")
OTHER = account_key("other@example.org")


@pytest.fixture
def clock():
    """Time frozen at START; shift it to pass time."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def counters(app, clock):
    """The default app's counters, inside an app context."""
    with app.app_context():
        yield throttle()
        db.session.remove()


def _rows() -> list[tuple[str, dt.datetime]]:
    db.session.commit()  # see what other transactions committed
    return db.session.execute(
        db.select(ThrottleHit.key, ThrottleHit.hit_at).order_by(ThrottleHit.id)
    ).all()


def test_default_settings_keep_the_counts_in_the_database(app, make_app):
    with app.app_context():
        assert isinstance(throttle(), DatabaseThrottle)
    redis = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    with redis.app_context():
        assert isinstance(throttle(), StorageThrottle)


def test_five_hits_block_the_key_and_only_that_key(counters):
    for _ in range(4):
        counters.hit(SIGN_IN_FAILURES, ACCOUNT)
    assert not counters.is_blocked(SIGN_IN_FAILURES, ACCOUNT)
    counters.hit(SIGN_IN_FAILURES, ACCOUNT)
    assert counters.is_blocked(SIGN_IN_FAILURES, ACCOUNT)
    assert counters.is_blocked(SIGN_IN_FAILURES, OTHER, ACCOUNT)  # any key used up blocks
    assert not counters.is_blocked(SIGN_IN_FAILURES, OTHER)


def test_the_block_lifts_when_the_window_passes(counters, clock):
    for _ in range(5):
        counters.hit(SIGN_IN_FAILURES, ACCOUNT)
    clock.shift(dt.timedelta(minutes=14, seconds=59))
    assert counters.is_blocked(SIGN_IN_FAILURES, ACCOUNT)
    clock.shift(dt.timedelta(seconds=1))
    assert not counters.is_blocked(SIGN_IN_FAILURES, ACCOUNT)


def test_it_is_a_moving_window(counters, clock):
    for _ in range(3):
        counters.hit(SIGN_IN_FAILURES, ACCOUNT)
    clock.shift(dt.timedelta(minutes=10))
    for _ in range(2):
        counters.hit(SIGN_IN_FAILURES, ACCOUNT)
    assert counters.is_blocked(SIGN_IN_FAILURES, ACCOUNT)
    clock.shift(dt.timedelta(minutes=6))  # the first three have left the window
    assert not counters.is_blocked(SIGN_IN_FAILURES, ACCOUNT)


def test_clear_forgets_only_the_keys_given(counters):
    for _ in range(5):
        counters.hit(SIGN_IN_FAILURES, ACCOUNT, OTHER)
    counters.clear(SIGN_IN_FAILURES, ACCOUNT)
    assert not counters.is_blocked(SIGN_IN_FAILURES, ACCOUNT)
    assert counters.is_blocked(SIGN_IN_FAILURES, OTHER)


def test_reserve_counts_on_every_key_until_any_is_used_up_then_counts_nothing(counters):
    for _ in range(4):
        counters.hit(SIGN_IN_FAILURES, ACCOUNT)
    assert counters.reserve(SIGN_IN_FAILURES, OTHER, ACCOUNT) is not None
    before = _rows()
    assert counters.reserve(SIGN_IN_FAILURES, OTHER, ACCOUNT) is None  # ACCOUNT is used up
    assert _rows() == before
    assert [key for key, _ in before].count(OTHER) == 1


def test_give_back_deletes_exactly_the_rows_reserved(counters, clock):
    counters.hit(SIGN_IN_FAILURES, ACCOUNT, OTHER)
    reservation = counters.reserve(SIGN_IN_FAILURES, ACCOUNT, OTHER)
    counters.hit(SIGN_IN_FAILURES, ACCOUNT)  # at the very same (frozen) time
    counters.give_back(reservation)
    assert sorted(key for key, _ in _rows()) == sorted([ACCOUNT, OTHER, ACCOUNT])


def test_a_hit_deletes_rows_no_limit_counts_any_more(counters, clock):
    """Rows are kept as long as the longest window any limit may have (a day), then go."""
    counters.hit(RESET_REQUESTS, account_key("org@example.org", purpose="reset"))
    counters.hit(SIGN_IN_FAILURES, OTHER)
    clock.shift(LONGEST_WINDOW - dt.timedelta(minutes=1))
    counters.hit(SIGN_IN_FAILURES, ACCOUNT)
    assert len(_rows()) == 3  # the oldest may still count for a day's window
    clock.shift(dt.timedelta(minutes=1))
    counters.hit(SIGN_IN_FAILURES, ACCOUNT)
    assert _rows() == [
        (ACCOUNT, START + LONGEST_WINDOW - dt.timedelta(minutes=1)),
        (ACCOUNT, START + LONGEST_WINDOW),
    ]


def test_a_limit_longer_than_the_rows_are_kept_is_refused(counters):
    with pytest.raises(ValueError, match="outlasts"):
        counters.hit(parse("10 per 2 days"), ACCOUNT)
    with pytest.raises(ValueError, match="outlasts"):
        counters.reserve(parse("10 per 2 days"), ACCOUNT)


def test_a_failed_sign_in_commits_its_hits_without_personal_data(app, make_user):
    make_user("org@example.org", password=TEST_PASSWORD)
    with app.app_context():
        with pytest.raises(services.InvalidCredentials):
            services.authenticate("Org@Example.org", "wrong guess", address="192.0.2.7")
        db.session.rollback()  # what the request's teardown does
        keys = sorted(key for key, _ in _rows())
    assert keys == sorted([ACCOUNT, address_key("192.0.2.7")])
    assert not any("example.org" in key or "192.0.2.7" in key for key in keys)


def test_a_successful_sign_in_clears_the_accounts_count_but_not_the_addresss(app, make_user):
    make_user("org@example.org", password=TEST_PASSWORD)
    with app.app_context():
        for _ in range(2):
            with pytest.raises(services.InvalidCredentials):
                services.authenticate("org@example.org", "wrong guess", address="192.0.2.7")
        services.authenticate("org@example.org", TEST_PASSWORD, address="192.0.2.7")
        keys = [key for key, _ in _rows()]
    assert keys == [address_key("192.0.2.7")] * 2


def test_a_broken_table_refuses_sign_in_with_a_503(app, make_user):
    """Fail closed: if the counts cannot be read, no password is tried."""
    make_user("org@example.org", password=TEST_PASSWORD)
    with app.app_context():
        ThrottleHit.__table__.drop(db.engine)
    try:
        response = app.test_client().post(
            "/account/sign-in", data={"email": "org@example.org", "password": TEST_PASSWORD}
        )
        assert response.status_code == 503
        assert "Traceback" not in response.get_data(as_text=True)
    finally:
        with app.app_context():
            db.session.remove()
            ThrottleHit.__table__.create(db.engine)
