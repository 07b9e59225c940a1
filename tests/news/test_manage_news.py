"""Editors write news: drafts, preview, publish now, schedule, unpublish, slugs, events."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from engage.accounts.models import Role
from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.news import services
from engage.news.models import NewsItem
from tests.conftest import london

NOW = london(2026, 11, 26, 12, 0)


@pytest.fixture
def editor(make_user):
    """An organiser an admin has allowed to post news."""
    return make_user("editor@example.org", can_post_news=True)


@pytest.fixture
def frozen():
    """The clock stopped at NOW (signing in happens after, so the cookie is not from the future)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def signed_in(frozen, client, login_as, editor):
    login_as(client, editor)
    return client


def _items(app):
    with app.app_context():
        items = db.session.scalars(db.select(NewsItem).order_by(NewsItem.id)).all()
        for item in items:
            db.session.expunge(item)
        return items


def _actions(app):
    with app.app_context():
        return db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def _form(**overrides):
    data = {
        "title": "Annual report published",
        "slug": "",
        "summary": "Read it.",
        "body_md": "We did **things**.",
        "event_id": "",
        "publish_at": "",
    }
    data.update(overrides)
    return data


def test_who_may_edit_news(client, login_as, make_user):
    assert client.get("/admin/news/").status_code in (302, 401)
    login_as(client, make_user("plain@example.org"))
    assert client.get("/admin/news/").status_code == 403
    login_as(client, make_user("admin@example.org", role=Role.ADMIN))
    assert client.get("/admin/news/").status_code == 200


def test_save_as_draft_sets_author_and_slug(app, signed_in, editor):
    response = signed_in.post("/admin/news/new", data=_form(save="Save as draft"))
    assert response.status_code == 302
    [item] = _items(app)
    assert (item.slug, item.author_id, item.published_at) == (
        "annual-report-published",
        editor.id,
        None,
    )
    assert signed_in.get(f"/news/{item.slug}").status_code == 404
    assert "Draft" in signed_in.get("/admin/news/").get_data(as_text=True)
    assert _actions(app) == ["news.created"]


def test_publish_now_puts_it_on_the_home_page(app, signed_in):
    signed_in.post("/admin/news/new", data=_form(publish="Publish now"))
    [item] = _items(app)
    assert item.published_at == NOW
    assert "Annual report published" in signed_in.get("/").get_data(as_text=True)
    assert _actions(app) == ["news.created", "news.published"]
    html = signed_in.get("/admin/news/").get_data(as_text=True)
    assert "Published" in html


def test_schedule_in_london_time(app, signed_in):
    response = signed_in.post(
        "/admin/news/new", data=_form(schedule="Schedule", publish_at="2026-12-01T09:00")
    )
    assert response.status_code == 302
    [item] = _items(app)
    assert item.published_at == london(2026, 12, 1, 9, 0)
    assert signed_in.get(f"/news/{item.slug}").status_code == 404
    assert "Scheduled" in signed_in.get("/admin/news/").get_data(as_text=True)
    edit = signed_in.get(f"/admin/news/{item.id}/edit").get_data(as_text=True)
    assert 'value="2026-12-01T09:00"' in edit and "scheduled" in edit
    with time_machine.travel(london(2026, 12, 1, 9, 1), tick=False):
        assert signed_in.get(f"/news/{item.slug}").status_code == 200


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"schedule": "Schedule", "publish_at": ""}, "Enter the date and time to publish at"),
        ({"schedule": "Schedule", "publish_at": "2026-11-01T09:00"}, "Choose a time in the future"),
        ({"schedule": "Schedule", "publish_at": "2026-02-30T09:00"}, "must be a real date"),
        ({"title": "", "save": "Save as draft"}, "Enter a title"),
        ({"title": "t" * 300, "save": "Save as draft"}, "cannot be longer than 200"),
        ({"body_md": "a\x00b", "save": "Save as draft"}, "must not contain special characters"),
        ({"event_id": "99999", "save": "Save as draft"}, "Choose an event from the list"),
        ({"event_id": "x" * 50, "save": "Save as draft"}, "Choose an event from the list"),
    ],
)
def test_bad_input_is_refused_and_kept(app, signed_in, overrides, message):
    response = signed_in.post("/admin/news/new", data=_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html and message in html
    assert _items(app) == []


def test_slug_is_editable_and_unique(app, signed_in, make_news):
    make_news(slug="taken")
    html = signed_in.post("/admin/news/new", data=_form(slug="taken", save="Save as draft"))
    assert "Another news item already uses" in html.get_data(as_text=True)
    signed_in.post("/admin/news/new", data=_form(slug="Our Report", save="Save as draft"))
    assert _items(app)[-1].slug == "our-report"
    signed_in.post("/admin/news/new", data=_form(save="Save as draft"))
    signed_in.post("/admin/news/new", data=_form(save="Save as draft"))
    assert [i.slug for i in _items(app)][-2:] == [
        "annual-report-published",
        "annual-report-published-2",
    ]


def test_preview_is_sanitised_and_saves_nothing(app, signed_in):
    response = signed_in.post(
        "/admin/news/new",
        data=_form(
            body_md="# Big\n<img src=x onerror=alert(1)> [a](javascript:x)", preview="Preview"
        ),
    )
    html = response.get_data(as_text=True)
    assert "<h2>Big</h2>" in html
    assert "<img" not in html and 'href="javascript' not in html
    assert _items(app) == []


def test_edit_link_to_event_and_unpublish(app, signed_in, make_news, make_event):
    event = make_event(title="Engagement Day")
    item = make_news(title="Old title")
    html = signed_in.get(f"/admin/news/{item.id}/edit").get_data(as_text=True)
    assert "Engagement Day" in html and "Save changes" in html
    signed_in.post(
        f"/admin/news/{item.id}/edit",
        data=_form(title="New title", slug=item.slug, event_id=str(event.id), save="Save changes"),
    )
    [saved] = _items(app)
    assert (saved.title, saved.event_id) == ("New title", event.id)
    assert saved.published_at == item.published_at  # saving keeps it published
    edit = signed_in.get(f"/admin/news/{item.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{event.id}">' in edit
    signed_in.post(f"/admin/news/{item.id}/unpublish")
    assert _items(app)[0].published_at is None
    assert signed_in.get(f"/news/{item.slug}").status_code == 404
    assert _actions(app) == ["news.updated", "news.unpublished"]


def test_unpublished_event_of_someone_else_is_not_offered(signed_in, make_event):
    make_event(title="Secret plans", is_published=False)
    assert "Secret plans" not in signed_in.get("/admin/news/new").get_data(as_text=True)


def test_missing_item_is_404(signed_in):
    assert signed_in.get("/admin/news/12345/edit").status_code == 404


def test_state_names(app):
    item = NewsItem(published_at=None)
    assert services.state(item, NOW) == "draft"
    item.published_at = NOW + dt.timedelta(minutes=1)
    assert services.state(item, NOW) == "scheduled"
    item.published_at = NOW
    assert services.state(item, NOW) == "published"


def test_fields_missing_from_the_post_are_blank_not_a_crash(app, signed_in):
    assert signed_in.post("/admin/news/new", data={}).status_code == 200
    assert signed_in.post("/admin/news/new", data={"title": "Only a title"}).status_code == 302
    [item] = _items(app)
    assert (item.summary, item.body_md, item.event_id, item.published_at) == ("", "", None, None)
