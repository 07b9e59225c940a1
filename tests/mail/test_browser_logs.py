"""Staff logs on a phone: reached from the back office and each event, no sideways page scroll."""

from __future__ import annotations

import pytest

from engage.accounts.models import Role
from engage.audit.models import AuditEntry
from engage.extensions import db
from engage.mail.models import Mailing, MessageStatus, OutboxMessage
from tests.conftest import TEST_PASSWORD, browser_sign_in
from tests.core.test_accessibility import violations

pytestmark = pytest.mark.browser

# Long, unbroken data, as real logs have: a long address, subject and error, nowhere to wrap.
LONG_ADDRESS = (
    "detective.chief.superintendent.firstname.lastname@northbridge-police-service.example.org"
)
LONG_SUBJECT = "Your place at The Annual Engagement Day on Evidence-Based Policing is confirmed" * 2
LONG_ERROR = "550-5.1.1_The_email_account_that_you_tried_to_reach_does_not_exist_please_try" * 2
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def logs(app, make_user, make_event):
    """An admin, an event with long emails, a long mailing and long audit entries."""
    make_user("admin@example.org", role=Role.ADMIN, password=TEST_PASSWORD)
    event = make_event(slug="day", title="Engagement Day")
    with app.app_context():
        for status in MessageStatus:
            db.session.add(
                OutboxMessage(
                    kind="registration_confirmation",
                    to_address=LONG_ADDRESS,
                    subject=LONG_SUBJECT,
                    body_text="T",
                    status=status,
                    last_error=LONG_ERROR if status == MessageStatus.FAILED else None,
                    event_id=event.id,
                )
            )
        db.session.add(
            Mailing(
                kind="organiser-message",
                key="long",
                event_id=event.id,
                params={"subject": LONG_SUBJECT, "body_md": LONG_ERROR},
                summary=LONG_SUBJECT,
                recipient_count=1,
            )
        )
        db.session.add(
            AuditEntry(action="registration.cancelled_by_staff", summary=LONG_ADDRESS * 2)
        )
        db.session.commit()
        return {"event_id": event.id, "mailing_id": db.session.scalar(db.select(Mailing.id))}


def _fits(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_email_logs_are_linked_and_fit_a_phone(live_server, page, logs):
    page.set_viewport_size(PHONE)
    browser_sign_in(page, live_server.url, "admin@example.org", TEST_PASSWORD)
    page.get_by_role("link", name="Emails", exact=True).click()
    page.get_by_role("heading", level=1, name="Emails").wait_for()
    seen = [page.url]

    page.goto(f"{live_server.url}/admin/events/{logs['event_id']}/")
    page.get_by_role("link", name="Emails sent about this event").click()
    page.get_by_role("heading", level=1, name="Emails for Engagement Day").wait_for()
    seen.append(page.url)

    event = f"{live_server.url}/admin/events/{logs['event_id']}"
    seen += [
        f"{live_server.url}/admin/audit",
        f"{event}/mailings/",
        f"{event}/mailings/{logs['mailing_id']}",
    ]
    too_wide, found = [], {}
    for url in seen:
        assert page.goto(url).status == 200, url
        assert LONG_SUBJECT[:40] in page.content() or "audit" in url
        if not _fits(page):
            too_wide.append(url)
        if problems := violations(page):
            found[url] = problems
    assert too_wide == []
    assert found == {}
    # The tables scroll inside their own region, which the keyboard can reach and names.
    page.goto(seen[0])
    region = page.get_by_role("region", name="All emails")
    assert region.get_attribute("tabindex") == "0"
