"""Pages pass axe-core's WCAG 2.2 A and AA rules in a real browser."""

import pytest

from engage.events.models import EventSession, SessionKind
from tests.conftest import london

pytestmark = pytest.mark.browser

WCAG_AA = {"runOnly": {"type": "tag", "values": [
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}  # fmt: skip


def violations(page) -> list[str]:
    """axe-core's WCAG A/AA violations on the current page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} node(s), e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


@pytest.fixture
def public_site(make_event, make_news):
    start = london(2030, 1, 21, 9, 30)
    make_event(
        slug="day",
        title="Engagement Day",
        summary="Talks and workshops",
        description_md="## Why come\n\nTo **learn**. [Read more](https://example.org)",
        access_info_md="Step-free access.",
        sessions=[
            EventSession(
                kind=SessionKind.PLENARY,
                title="Plenary",
                starts_at=start,
                ends_at=london(2030, 1, 21, 10, 30),
                room="Hall",
            ),
            EventSession(
                kind=SessionKind.WORKSHOP,
                title="Leadership",
                capacity=20,
                starts_at=london(2030, 1, 21, 11),
                ends_at=london(2030, 1, 21, 12),
            ),
        ],
    )
    make_event(
        slug="full",
        title="Full",
        capacity=0,
        waitlist_enabled=False,
        starts_at=london(2030, 2, 1, 9),
    )
    make_news(slug="hello", title="Hello", summary="Summary", body_md="Some *news*.")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/events/",
        "/events/day",
        "/events/full",
        "/events/day/link",
        "/news/",
        "/news/hello",
        "/privacy",
        "/accessibility",
        "/missing",
    ],
)
def test_public_pages_have_no_wcag_violations(live_server, page, public_site, path):
    page.goto(live_server.url + path)
    assert violations(page) == []


def test_the_check_catches_a_violation(live_server, page):
    """Control: an image without alt text and an unlabelled input are reported."""
    page.goto(live_server.url + "/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/static/none.png"><input type="text">\')'
    )
    found = " ".join(violations(page))
    assert "image-alt" in found and "label" in found
