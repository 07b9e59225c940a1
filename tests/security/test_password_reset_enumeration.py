"""Password reset gives nothing away about which addresses have accounts, even when failing.

ASVS V6.3.8: valid users cannot be deduced from the forgot-password answer, its
status code or the work it does.
"""

import pytest
from sqlalchemy import select

from engage.accounts.models import ThrottleHit
from engage.accounts.throttle import account_key
from engage.extensions import db
from engage.mail.models import OutboxMessage
from tests.conftest import TEST_PASSWORD, free_port


def _without_address(response, address: str) -> str:
    return response.get_data(as_text=True).replace(address, "ADDRESS")


@pytest.fixture(params=["redis down", "table missing"])
def broken_counts_app(request, make_app, make_user):
    """An app whose reset counts cannot be read: Redis not answering, or the table gone."""
    if request.param == "redis down":
        app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0")
        make_user("org@example.org", password=TEST_PASSWORD)
        yield app
        return
    app = make_app()
    make_user("org@example.org", password=TEST_PASSWORD)
    with app.app_context():
        ThrottleHit.__table__.drop(db.engine)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            ThrottleHit.__table__.create(db.engine)


def test_known_and_unknown_addresses_fail_alike_when_the_counts_are_unavailable(
    broken_counts_app,
):
    client = broken_counts_app.test_client()
    known = client.post("/account/reset", data={"email": "org@example.org"})
    unknown = client.post("/account/reset", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 503
    assert _without_address(known, "org@example.org") == _without_address(
        unknown, "nobody@example.org"
    )
    assert "Traceback" not in known.get_data(as_text=True)
    with broken_counts_app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_known_and_unknown_addresses_are_both_counted(app, client, make_user):
    """The same work either way: each request counts against the typed address."""
    make_user("org@example.org", password=TEST_PASSWORD)
    for address in ["org@example.org", "nobody@example.org"]:
        response = client.post("/account/reset", data={"email": address})
        assert response.status_code == 200
    with app.app_context():
        keys = db.session.scalars(select(ThrottleHit.key).order_by(ThrottleHit.id)).all()
    assert keys == [
        account_key("org@example.org", purpose="reset"),
        account_key("nobody@example.org", purpose="reset"),
    ]


def test_the_count_is_kept_on_the_normalised_address(app, client, make_user):
    make_user("org@example.org", password=TEST_PASSWORD)
    for typed in ["org@example.org", "ORG@Example.org", " Org@EXAMPLE.ORG ", "org@example.org"]:
        assert client.post("/account/reset", data={"email": typed}).status_code == 200
    with app.app_context():
        sent = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert sent == ["org@example.org"] * 3  # three an hour, however the address is typed
