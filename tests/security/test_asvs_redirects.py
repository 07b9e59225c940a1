"""Sign-in's next= never sends anyone off the site (ASVS 5.0 V3.7.2; V1.2.2 no javascript: URLs).

tests/accounts/test_sign_in.py::test_next_never_leaves_the_site posts the sign-in form
with thirteen hostile targets ("//evil.example", "https://evil.example",
"/\\evil.example", "javascript:alert(1)", tabs and line breaks...). Here: any string
at all, read as a browser reads a Location header; the path taken by staff who are
already signed in; and the sign-in page, which must not carry a hostile target into
its form.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urljoin, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engage.accounts.redirects import safe_next
from tests.conftest import TEST_PASSWORD
from tests.security.world import sign_in_as

SITE = "https://site.example/account/sign-in"
HOSTILE = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "\\\\evil.example",
    "http:evil.example",
    "/%2F/evil.example",
]


def lands_on_site(location: str) -> bool:
    """Whether a browser following this Location stays on the site.

    Browsers drop tabs and line breaks in URLs, read "\\" as "/", and trim leading
    spaces and controls (the WHATWG URL standard); read the target the same way.
    """
    cleaned = re.sub(r"[\t\n\r]", "", location).lstrip("\x00- ").replace("\\", "/")
    target = urlsplit(urljoin(SITE, cleaned))
    return target.scheme == "https" and target.netloc == "site.example"


def test_the_reading_refuses_what_browsers_would_follow_off_site():
    """Control: the check itself sees every hostile target as leaving."""
    assert [t for t in HOSTILE if lands_on_site(t)] == ["/%2F/evil.example"]  # a path here
    assert lands_on_site("/admin/events/?page=2")


def test_asvs_3_7_2_staff_already_signed_in_stay_on_the_site(app, world):
    client = app.test_client()
    sign_in_as(client, app, world["organiser"])
    for target in HOSTILE:
        response = client.get("/account/sign-in", query_string={"next": target})
        assert response.status_code == 302, target
        assert lands_on_site(response.headers["Location"]), target


def test_asvs_3_7_2_the_sign_in_page_does_not_carry_a_hostile_target(client):
    for target in HOSTILE:
        page = client.get("/account/sign-in", query_string={"next": target}).get_data(as_text=True)
        action = html.unescape(re.search(r'<form method="post" action="([^"]*)"', page)[1])
        carried = parse_qs(urlsplit(action).query).get("next", [])
        assert lands_on_site(action) and all(lands_on_site(t) for t in carried), target


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    target=st.one_of(
        st.text(max_size=30),
        st.builds(
            "".join,
            st.lists(st.sampled_from(["/", "\\", "//", "\t", "\n", " ", "\x00", ":", "@", "."])),
        ).map(lambda prefix: prefix + "evil.example"),
        st.sampled_from(["http", "https", "javascript", "data", "HTTPS"]).map(
            lambda scheme: scheme + ":evil.example"
        ),
    )
)
def test_asvs_3_7_2_whatever_next_says_the_target_is_on_the_site(target):
    """The rule itself, for any string: a target it lets through is a path on this site."""
    chosen = safe_next(target) or "/admin/"
    assert lands_on_site(chosen), chosen


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=st.text(max_size=20).map(lambda text: "/\\" + text) | st.sampled_from(HOSTILE))
def test_asvs_3_7_2_signing_in_with_any_next_lands_on_the_site(app, world, target):
    response = app.test_client().post(
        "/account/sign-in",
        query_string={"next": target},
        data={"email": "org@example.org", "password": TEST_PASSWORD},
    )
    if "\x00" in target:  # a NUL anywhere in a request is refused first (engage/inputs.py)
        assert response.status_code == 404
        return
    assert response.status_code == 302
    assert lands_on_site(response.headers["Location"])
