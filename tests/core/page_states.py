"""Every kind of page the site shows, in every state a person meets it, as HTML.

page_states() walks the URL map with the security suite's world behind it: each
GET page as a visitor (public) or as an admin (back office), then each form
posted empty, so that its error state is seen too, then the pages that follow
a booking and the error pages. A new route or form is collected the moment it
exists. The HTML checker (test_html_valid.py) and the accessibility walks read
from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from engage.extensions import db
from engage.mail.models import OutboxMessage
from tests.registrations.conftest import form
from tests.security.world import sign_in_as, url_for_rule

STAFF_PREFIXES = ("/admin", "/account")
# Files, feeds and redirects rather than pages.
NOT_PAGES = (".ics", ".pdf", ".csv", ".xlsx", ".atom", ".xml", ".png", ".svg")
SKIP = {"static", "accounts.sign_out", "attendees.room_list"}
# Posted last: each undoes part of the world the other forms need.
LAST = ("delete", "cancel", "remove", "disable", "retire", "erase", "purge", "leave")


@dataclass
class PageState:
    """One page as a person sees it: where, as whom, how it was reached, and its HTML."""

    name: str
    status: int
    html: str


def _is_page(response) -> bool:
    # A redirect's body is HTML too, but nobody sees it.
    return response.mimetype == "text/html" and not 300 <= response.status_code < 400


def _routes(app, method: str):
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        wanted = method in rule.methods and rule.endpoint not in SKIP
        if wanted and not rule.rule.endswith(NOT_PAGES):
            yield rule


def _order(rule) -> tuple[bool, bool, str]:
    # The visitors' forms first, while the event is still published and open.
    staff = rule.rule.startswith(STAFF_PREFIXES)
    return (staff, any(word in rule.endpoint for word in LAST), rule.rule)


def page_states(app, world: dict) -> list[PageState]:
    """Every page of the site in each state worth checking (see the module's docstring)."""
    states: list[PageState] = []

    def keep(name: str, response) -> None:
        if _is_page(response):
            states.append(PageState(name, response.status_code, response.get_data(as_text=True)))

    visitor, admin = app.test_client(), app.test_client()
    sign_in_as(admin, app, world["admin"])
    for rule in _routes(app, "GET"):
        client = admin if rule.rule.startswith(STAFF_PREFIXES) else visitor
        url = url_for_rule(app, rule, world)
        keep(f"GET {url}", client.get(url))
    keep("GET a page that does not exist", visitor.get("/no-such-page"))
    keep("booking confirmation", _book(app, visitor, world))
    for rule in sorted(_routes(app, "POST"), key=_order):
        client = admin if rule.rule.startswith(STAFF_PREFIXES) else visitor
        url = url_for_rule(app, rule, world)
        keep(f"POST {url} empty", client.post(url, data={}))
    return states


def _book(app, client, world: dict):
    # A whole booking as a visitor makes it: the form, then the page it leads to.
    answers = {world["questions"]["single_choice"]: "Car", world["questions"]["yes_no"]: "yes"}
    fields = form(email="second.person@example.org", workshops=[str(world["workshop_ids"][0])])
    response = client.post(
        "/events/day/register", data={**fields, **answers}, follow_redirects=True
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) > 0
    return response
