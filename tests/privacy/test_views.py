"""/admin/privacy as an admin uses it: look up, download, erase, with the address only in POSTs."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from engage.accounts.models import Role
from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.privacy.personal import search_everywhere
from engage.registrations.models import Registration
from tests.privacy.conftest import ADDRESS


def _admin(client, make_user, login_as):
    login_as(client, make_user("admin@example.org", role=Role.ADMIN))
    return client


def _privacy_entries(app) -> list[AuditEntry]:
    with app.app_context():
        return list(
            db.session.scalars(select(AuditEntry).where(AuditEntry.action.startswith("privacy.")))
        )


def test_the_dashboard_links_to_the_privacy_page(client, make_user, login_as):
    page = _admin(client, make_user, login_as).get("/admin/").get_data(as_text=True)
    assert 'href="/admin/privacy/"' in page


def test_looking_up_shows_what_is_held_and_audits_without_the_address(
    app, client, person, make_user, login_as
):
    _admin(client, make_user, login_as)
    assert "Find what we hold" in client.get("/admin/privacy/").get_data(as_text=True)
    page = client.post("/admin/privacy/", data={"email": " ADA@example.org "}).get_data(
        as_text=True
    )
    assert f"What we hold about {ADDRESS}" in page
    assert "2 registrations" in page
    assert "Download (JSON)" in page and "Erase everything about this person" in page
    [entry] = _privacy_entries(app)
    assert entry.action == "privacy.accessed"
    assert "2 registrations" in entry.summary
    assert "ada" not in entry.summary.lower()


def test_a_malformed_address_is_refused_beside_the_field(client, make_user, login_as):
    _admin(client, make_user, login_as)
    response = client.post("/admin/privacy/", data={"email": "not an address"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page and "There is a problem" in page
    assert 'value="not an address"' in page


def test_the_json_download_is_an_uncached_attachment(app, client, person, make_user, login_as):
    _admin(client, make_user, login_as)
    response = client.post("/admin/privacy/download", data={"email": ADDRESS, "format": "json"})
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "ada" not in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data(as_text=True))
    assert len(document["registrations"]) == 2
    assert [e.summary.split(":")[0] for e in _privacy_entries(app)] == [
        "Subject access downloaded as JSON"
    ]


def test_the_csv_download_is_readable_and_formula_safe(app, client, person, make_user, login_as):
    with app.app_context():
        db.session.get(Registration, person["ada"]).job_title = "=HYPERLINK(1)"
        db.session.commit()
    _admin(client, make_user, login_as)
    response = client.post("/admin/privacy/download", data={"email": ADDRESS, "format": "csv"})
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["section", "field", "value"]
    assert ["job_title", "'=HYPERLINK(1)"] in [[f.split(".")[-1], v] for _s, f, v in rows[1:]]


def test_erasing_asks_first_then_leaves_nothing(app, client, person, make_user, login_as):
    _admin(client, make_user, login_as)
    page = client.post("/admin/privacy/erase", data={"email": ADDRESS}).get_data(as_text=True)
    assert "delete 2 registrations" in page
    assert "1 at an event still to come" in page
    with app.app_context():
        assert db.session.get(Registration, person["ada"]) is not None  # nothing yet

    response = client.post("/admin/privacy/erase", data={"email": ADDRESS, "confirm": "yes"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/privacy/"
    assert "Erased. 2 registration(s)" in client.get("/admin/privacy/").get_data(as_text=True)
    with app.app_context():
        assert search_everywhere(ADDRESS) == []
    assert [e.action for e in _privacy_entries(app)] == ["privacy.erased"]


def test_a_staff_address_is_not_erased(app, client, person, make_user, login_as):
    make_user(ADDRESS)
    _admin(client, make_user, login_as)
    page = client.post("/admin/privacy/", data={"email": ADDRESS}).get_data(as_text=True)
    assert "belongs to a staff account" in page
    assert "Erase everything about this person" not in page
    response = client.post("/admin/privacy/erase", data={"email": ADDRESS, "confirm": "yes"})
    assert response.status_code == 409
    assert "Disable or remove the account under Users" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Registration, person["ada"]) is not None
