"""The admin's pages for the list: admins only, errors beside the field, audited changes."""

import pytest

from engage.accounts.models import Role
from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.organisations.models import Organisation, OrganisationKind


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.org", role=Role.ADMIN)


@pytest.fixture
def admin_client(client, admin, login_as):
    login_as(client, admin)
    return client


def _entries(app) -> list[tuple[str, str, bool]]:
    with app.app_context():
        rows = db.session.scalars(db.select(Organisation).order_by(Organisation.id))
        return [(o.name, o.kind.value, o.is_active) for o in rows]


def test_organisers_cannot_reach_the_list(app, client, make_user, login_as, make_organisation):
    entry = make_organisation("Northbridge Police")
    login_as(client, make_user("organiser@example.org"))
    for url in (
        "/admin/organisations/",
        "/admin/organisations/new",
        f"/admin/organisations/{entry.id}",
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post("/admin/organisations/new", data={"name": "X", "kind": "other"}).status_code
        == 403
    )
    assert client.post(f"/admin/organisations/{entry.id}/retire").status_code == 403
    assert _entries(app) == [("Northbridge Police", "police_force", True)]


def test_the_dashboard_links_admins_to_the_list(admin_client, client, make_user, login_as):
    assert 'href="/admin/organisations/"' in admin_client.get("/admin/").get_data(as_text=True)
    other = client.application.test_client()
    login_as(other, make_user("organiser@example.org"))
    assert 'href="/admin/organisations/"' not in other.get("/admin/").get_data(as_text=True)


def test_an_admin_adds_one_and_it_is_audited(app, admin_client):
    response = admin_client.post(
        "/admin/organisations/new", data={"name": " Acme Research ", "kind": "company"}
    )
    assert response.status_code == 302
    assert _entries(app) == [("Acme Research", "company", True)]
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry)).one()
        assert (entry.action, entry.actor_label) == ("organisation.added", "admin@example.org")
    page = admin_client.get("/admin/organisations/").get_data(as_text=True)
    assert "Acme Research" in page and "Companies: 1" in page


def test_a_name_already_listed_in_another_case_is_an_error_beside_the_field(
    app, admin_client, make_organisation
):
    make_organisation("Northbridge Police")
    response = admin_client.post(
        "/admin/organisations/new", data={"name": "NORTHBRIDGE police", "kind": "police_force"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error: " in html and 'href="#name"' in html
    assert 'id="name-error"' in html and "in the list already" in html
    assert 'value="NORTHBRIDGE police"' in html  # what was typed is kept
    assert len(_entries(app)) == 1


@pytest.mark.parametrize(
    ("data", "field"),
    # A radio group is linked by its first radio.
    [({"name": "", "kind": "charity"}, "name"), ({"name": "A", "kind": "nonsense"}, "kind-0")],
)
def test_bad_input_is_an_error_not_a_500(app, admin_client, data, field):
    response = admin_client.post("/admin/organisations/new", data=data)
    assert response.status_code == 400
    assert f'href="#{field}"' in response.get_data(as_text=True)
    assert _entries(app) == []


def test_rename_retire_and_restore(app, admin_client, make_organisation):
    entry = make_organisation("Northbridge Police")
    url = f"/admin/organisations/{entry.id}"
    assert "Northbridge Police" in admin_client.get(url).get_data(as_text=True)
    assert (
        admin_client.post(
            url, data={"name": "Northbridge Police Service", "kind": "police_force"}
        ).status_code
        == 302
    )
    assert admin_client.post(f"{url}/retire").status_code == 302
    assert _entries(app) == [("Northbridge Police Service", "police_force", False)]
    assert "Offer Northbridge Police Service again" in admin_client.get(url).get_data(as_text=True)
    assert admin_client.post(f"{url}/restore").status_code == 302
    assert _entries(app) == [("Northbridge Police Service", "police_force", True)]
    with app.app_context():
        actions = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == [
        "organisation.added",
        "organisation.updated",
        "organisation.retired",
        "organisation.restored",
    ]


def test_search_finds_by_part_of_a_name_in_any_case(admin_client, make_organisation):
    make_organisation("Northbridge Police")
    make_organisation("University of Southbridge", OrganisationKind.UNIVERSITY)
    html = admin_client.get("/admin/organisations/?q=SOUTH").get_data(as_text=True)
    assert "University of Southbridge" in html and "Northbridge Police" not in html
    html = admin_client.get("/admin/organisations/?q=" + "x" * 500).get_data(as_text=True)
    assert "Northbridge Police" in html  # a search too long is shown as an error, not a 500
