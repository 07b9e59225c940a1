"""The organisation question in a real browser at 320px: a list, Other revealing a box."""

import re

import pytest
from playwright.sync_api import expect

from engage.extensions import db
from engage.organisations.models import OrganisationKind
from engage.registrations.models import Registration
from tests.core.test_accessibility import violations

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
OTHER_EMPTY = "Type the organisation's name in the box below the list, as Other is chosen"


def _fill_the_rest(page) -> None:
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Job title or role").fill("Inspector")
    page.get_by_label("Police officer").check()
    page.get_by_label("I have read the privacy notice").check()


def test_other_reveals_the_box_and_an_empty_one_is_an_error_on_the_list(
    app, live_server, page, make_event, make_organisation
):
    make_event(slug="day", title="Engagement Day", capacity=20)
    make_organisation("Northbridge Police")
    make_organisation("University of Northbridge", OrganisationKind.UNIVERSITY)
    page.set_viewport_size(NARROW)
    page.goto(live_server.url + "/events/day/register")
    choice = page.get_by_label("Organisation", exact=True)
    box = page.get_by_label("Your organisation")
    expect(box).to_be_hidden()  # shown only for Other, where JavaScript runs
    choice.select_option(label="Other (not in the list)")
    expect(box).to_be_visible()
    _fill_the_rest(page)
    page.get_by_role("button", name="Register").click()

    expect(page).to_have_title(re.compile("^Error: "))  # once the answer has loaded
    assert violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    page.get_by_role("link", name=OTHER_EMPTY).click()
    assert page.url.endswith("#organisation_choice")
    expect(choice).to_be_in_viewport()
    # (Its label and message in view as well is the error summary's scroll-margin-top rule,
    # engage.css's own, for every field alike: not this feature's.)
    expect(box).to_be_visible()  # Other is still chosen, its box still shown

    choice.select_option(label="University of Northbridge")
    expect(box).to_be_hidden()
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/events/day/registered")
    with app.app_context():
        registration = db.session.scalars(db.select(Registration)).one()
        assert registration.organisation == "University of Northbridge"
        assert registration.organisation_id is not None


def test_without_javascript_both_are_shown(app, live_server, browser, make_event):
    make_event(slug="day", title="Engagement Day", capacity=20)
    context = browser.new_context(java_script_enabled=False, viewport=NARROW)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/events/day/register")
        expect(page.get_by_label("Organisation", exact=True)).to_be_visible()
        expect(page.get_by_label("Your organisation")).to_be_visible()
        expect(page.get_by_text("Only if you chose Other.")).to_be_visible()
    finally:
        context.close()
