"""Whatever is typed into the news form, the answer is a page or a redirect, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIELDS = ("title", "slug", "summary", "body_md", "event_id", "publish_at")
junk = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["", " ", "\x00", "-1", "1", "2027-02-30T09:00", "2099-01-01T09:00", "99999999999999"]
)
buttons = st.sampled_from(["preview", "save", "publish", "schedule"])


@pytest.fixture
def editor(make_user):
    return make_user("editor@example.org", can_post_news=True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.fixed_dictionaries({}, optional={name: junk for name in FIELDS}), button=buttons)
def test_news_form_never_errors(client, login_as, editor, data, button):
    login_as(client, editor)
    response = client.post("/admin/news/new", data={**data, button: "x"})
    assert response.status_code in (200, 302)
