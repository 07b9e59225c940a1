"""Visitors see published news only, newest first, a page at a time, and in a feed."""

import datetime as dt
from xml.etree import ElementTree as ET

import time_machine

from engage.db import utcnow
from tests.conftest import london

ATOM = "{http://www.w3.org/2005/Atom}"


def test_published_item_is_shown(client, make_news):
    make_news(slug="hello", title="Hello", summary="A summary", body_md="Some **text**")
    html = client.get("/news/hello").get_data(as_text=True)
    assert "<h1>Hello</h1>" in html and "<strong>text</strong>" in html


def test_drafts_and_future_items_are_hidden(client, make_news):
    make_news(slug="draft", published_at=None)
    make_news(slug="later", published_at=utcnow() + dt.timedelta(hours=1))
    assert client.get("/news/draft").status_code == 404
    assert client.get("/news/later").status_code == 404
    listing = client.get("/news/").get_data(as_text=True)
    assert "/news/draft" not in listing and "/news/later" not in listing


def test_scheduled_item_appears_at_its_time(client, make_news):
    make_news(slug="scheduled", published_at=london(2030, 5, 1, 9))
    with time_machine.travel(london(2030, 5, 1, 8, 59), tick=False):
        assert client.get("/news/scheduled").status_code == 404
    with time_machine.travel(london(2030, 5, 1, 9, 0), tick=False):
        assert client.get("/news/scheduled").status_code == 200


def test_list_is_newest_first_and_paginated(make_app, make_news):
    app = make_app(NEWS_PER_PAGE=2)
    for day in range(1, 6):
        make_news(slug=f"n{day}", title=f"Item {day}", published_at=london(2026, 3, day))
    client = app.test_client()
    first = client.get("/news/").get_data(as_text=True)
    assert first.index("Item 5") < first.index("Item 4")
    assert "Item 3" not in first
    assert "Page 1 of 3" in first and 'rel="next"' in first
    third = client.get("/news/?page=3").get_data(as_text=True)
    assert "Item 1" in third and 'rel="next"' not in third
    assert client.get("/news/?page=9").status_code == 404
    assert client.get("/news/?page=junk").status_code == 200


def test_atom_feed_lists_published_items(client, make_news):
    make_news(slug="one", title="One & only", body_md="<script>x</script> *hi*")
    make_news(slug="draft", title="Draft", published_at=None)
    response = client.get("/news/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert titles == ["One & only"]
    content = feed.find(f"{ATOM}entry/{ATOM}content").text
    assert "<script>" not in content and "<em>hi</em>" in content


def test_home_shows_latest_news(client, make_news):
    make_news(slug="latest", title="The latest thing")
    assert "The latest thing" in client.get("/").get_data(as_text=True)
