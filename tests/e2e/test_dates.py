"""One date and time format everywhere, naming the browser's time zone: the dates module in
three zones, and the pages that show times (the mailbox, Your account) using it."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import sign_in

FORMAT = """async value => (await import("/src/dates.js")).formatDateTime(value)"""


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("UTC", "29 Nov 2026, 17:05 UTC"),
        ("America/New_York", "29 Nov 2026, 12:05 EST"),
        ("Europe/Paris", "29 Nov 2026, 18:05 GMT+1"),
        ("Asia/Tokyo", "30 Nov 2026, 02:05 GMT+9"),
    ],
)
def test_times_are_shown_in_the_browsers_zone_and_name_it(
    browser: Browser, server: str, zone: str, shown: str
) -> None:
    context = browser.new_context(base_url=server, timezone_id=zone)
    try:
        page = context.new_page()
        page.goto("/sign-in")
        assert page.evaluate(FORMAT, "2026-11-29T17:05:00Z") == shown
    finally:
        context.close()


def test_the_mailbox_and_your_account_use_the_one_format(browser: Browser, server: str) -> None:
    context = browser.new_context(base_url=server, timezone_id="America/New_York")
    context.set_default_timeout(10_000)
    one_format = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} E[SD]T$")
    try:
        page = context.new_page()
        page.goto("/mailbox")
        received = page.locator(".mailbox-item time").first
        expect(received).to_have_text(one_format)
        sign_in(page)
        page.goto("/account")
        last_sign_in = page.locator(".account-details time").first
        expect(last_sign_in).to_have_text(one_format)
        sessions = page.locator("session-list time")
        expect(sessions.first).to_have_text(one_format)
    finally:
        context.close()
