"""On a phone, each error summary link lands with its field's label and message in view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from engage.events.models import Event
from engage.extensions import db
from tests.core.test_accessibility import violations
from tests.registrations.conftest import choose_organisation

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
# The page's CSP refuses an injected style sheet; set the style on each element instead.
NO_MARGIN = """() => document
  .querySelectorAll("input, select, textarea, .label, .fieldset__legend")
  .forEach(el => el.style.setProperty("scroll-margin-top", "0", "important"))"""
# Summary link target: (its label or legend, its error message).
LANDINGS = {
    "first_name": ("label[for=first_name]", "#first_name-error"),
    "category-0": ("#category legend", "#category-error"),
    "workshops-0": ("#workshops legend", "#workshops-error"),
    "privacy": ("label[for=privacy]", "#privacy-error"),
}
IN_VIEW = """selector => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""


@pytest.fixture
def form_with_errors(app, live_server, page, workshop_event):
    """The registration form at phone size, sent back with errors on a text box,
    the category radios, the workshop checkboxes and the privacy box."""
    event = workshop_event(slug="day", max_workshops=1)
    with app.app_context():
        workshops = [w.title for w in db.session.get(Event, event.id).workshops]
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/events/day/register")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email address").fill("ada@example.org")
    choose_organisation(page)
    page.get_by_label("Job title or role").fill("Inspector")
    page.get_by_label(workshops[0]).check()
    page.get_by_label(workshops[2]).check()  # one more than the event allows
    page.get_by_label("Train").check()
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_title(re.compile("^Error: "))  # once the answer has loaded
    return page


def landing_problems(page) -> list[str]:
    """Click each summary link in turn; what did not land in view."""
    problems = []
    links = page.locator(".error-summary__list a")
    targets = [links.nth(i).get_attribute("href")[1:] for i in range(links.count())]
    assert targets == list(LANDINGS)  # every error, in page order
    for index, target in enumerate(targets):
        links.nth(index).click()
        page.wait_for_url(f"**#{target}")
        if page.evaluate("document.activeElement.id") != target:
            problems.append(f"#{target} did not take focus")
        for selector in (*LANDINGS[target], f"#{target}"):
            if not page.evaluate(IN_VIEW, selector):
                problems.append(f"#{target}: {selector} is out of view")
    return problems


def test_each_summary_link_lands_with_label_and_message_in_view(form_with_errors):
    page = form_with_errors
    assert violations(page) == []
    assert landing_problems(page) == []


def test_control_without_scroll_margin_the_label_is_out_of_view(form_with_errors):
    page = form_with_errors
    page.evaluate(NO_MARGIN)
    problems = landing_problems(page)
    assert any("label" in p or "legend" in p for p in problems), problems


def test_radios_and_checkboxes_are_40_pixels_square_even_at_320px(form_with_errors):
    page = form_with_errors
    for width in (375, 320):
        page.set_viewport_size({"width": width, "height": 800})
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
                 .map(el => { const b = el.getBoundingClientRect(); return [el.id, b.width, b.height]; })"""
        )
        assert len(sizes) > 8
        small = [s for s in sizes if s[1] < 40 or s[2] < 40]
        assert small == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_focused_radio_shows_its_focus(form_with_errors):
    page = form_with_errors
    radio = page.locator("#category-0")
    before = radio.evaluate("el => getComputedStyle(el).boxShadow")
    radio.focus()
    page.keyboard.press("ArrowDown")  # moves focus and choice, as a keyboard user does
    focused = page.locator("#category-1")
    assert focused.evaluate("el => el === document.activeElement")
    shown = focused.evaluate("el => getComputedStyle(el).boxShadow")
    assert shown != before and "rgb(255, 221, 0)" in shown
