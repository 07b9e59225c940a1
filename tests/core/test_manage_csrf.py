"""Every back-office form refuses a POST without its CSRF token."""

from __future__ import annotations

import pytest

from tests.core.test_route_guards import RULES, _url

BACK_OFFICE_POSTS = [
    (endpoint, path)
    for endpoint, path, methods in RULES
    if endpoint.startswith(("manage_events.", "manage_news.")) and "POST" in methods
]


@pytest.fixture
def csrf_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.mark.parametrize(("endpoint", "path"), BACK_OFFICE_POSTS)
def test_post_without_token_is_refused(csrf_app, make_user, login_as, endpoint, path):
    from engage.accounts.models import Role
    from engage.events.models import (
        Event,
        EventQuestion,
        EventResource,
        EventSession,
        QuestionKind,
        SessionKind,
    )
    from engage.extensions import db
    from engage.news.models import NewsItem
    from tests.conftest import london

    admin = make_user("admin@example.org", role=Role.ADMIN)
    with csrf_app.app_context():
        start = london(2027, 1, 21, 9, 30)
        event = Event(slug="e", title="E", starts_at=start, ends_at=start.replace(hour=16))
        event.sessions.append(
            EventSession(kind=SessionKind.BREAK, title="B", starts_at=start, ends_at=start)
        )
        event.questions.append(EventQuestion(kind=QuestionKind.TEXT, label="Q"))
        event.resources.append(EventResource(title="R", url="https://example.org/r"))
        news = NewsItem(slug="n", title="N", published_at=start)
        db.session.add_all([event, news])
        db.session.commit()
        world = {
            "values": {
                "event_id": event.id,
                "session_id": event.sessions[0].id,
                "question_id": event.questions[0].id,
                "item_id": news.id,
                "resource_id": event.resources[0].id,
            }
        }
        before = (event.title, event.is_published, news.published_at)
    client = csrf_app.test_client()
    login_as(client, admin)
    url = _url(csrf_app, endpoint, path, world, {})
    response = client.post(url, data={"title": "Changed", "reason": "x", "direction": "up"})
    assert response.status_code == 400
    with csrf_app.app_context():
        event, news = db.session.get(Event, event.id), db.session.get(NewsItem, news.id)
        assert (event.title, event.is_published, news.published_at) == before
        assert event.cancelled_at is None and len(event.sessions) == 1
        assert [r.title for r in event.resources] == ["R"]
