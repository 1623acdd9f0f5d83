"""Two-factor sign-in on a phone-sized screen (390 px wide): the account page, the enrolment
with its QR code and recovery codes, and the code step of sign-in fit the width and their
controls can be seen and used."""

import re
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from backend.demo import DEMO_STAFF_PASSWORD
from tests.e2e.conftest import open_page, screenshot, sign_in
from tests.e2e.test_two_factor_ui import next_code, sign_out

WIDTH = 390


@pytest.fixture
def phone(browser: Browser, server: str) -> Iterator[Page]:
    with open_page(browser, server, width=WIDTH, height=844) as opened:
        yield opened


def assert_fits(page: Page, *controls: Locator) -> None:
    """Nothing scrolls sideways, and each control is shown whole within the width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"the page is {width} px wide"
    for control in controls:
        control.scroll_into_view_if_needed()
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (control, box)
        assert box["width"] > 0 and box["height"] > 0


def test_two_factor_pages_fit_a_390_px_screen(phone: Page) -> None:
    page = phone
    sign_in(page, "cnurse", DEMO_STAFF_PASSWORD)
    expect(page).to_have_url(re.compile(r"/account$"))
    section = page.get_by_role("region", name="Two-factor authentication")
    start = section.get_by_role("button", name="Set up two-factor sign-in")
    assert_fits(page, start, page.get_by_role("button", name="Change PIN"))
    screenshot(page, "narrow-account-page")

    start.click()
    qr = section.get_by_role("img", name="QR code for your authenticator app")
    code_field = section.get_by_label("Enter the 6-digit code the app shows")
    turn_on = section.get_by_role("button", name="Turn on two-factor sign-in")
    expect(code_field).to_be_focused()
    assert_fits(page, qr, section.locator(".totp-secret"), code_field, turn_on)
    assert qr.evaluate("img => img.naturalWidth") > 0
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 150, box  # big enough to scan
    screenshot(page, "narrow-two-factor-enrolment")

    secret = section.locator(".totp-secret").inner_text().strip()
    code_field.fill(pyotp.TOTP(secret).now())
    turn_on.click()
    codes = section.get_by_role("list", name="Your recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    stored = section.get_by_role("button", name="I have stored my recovery codes")
    assert_fits(page, codes.first, codes.last, stored)
    screenshot(page, "narrow-recovery-codes")
    stored.click()
    expect(section).to_contain_text("✔ On")
    assert_fits(page, section.get_by_role("button", name="Turn off two-factor sign-in"))

    sign_out(page)
    page.get_by_label("Username").fill("cnurse")
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    field = page.get_by_label("Two-factor code")
    expect(field).to_be_focused()
    verify = page.get_by_role("button", name="Verify and sign in")
    recovery = page.get_by_role("button", name="Use a recovery code instead")
    assert_fits(page, field, verify, recovery, page.get_by_role("button", name="Start over"))
    screenshot(page, "narrow-sign-in-code-step")

    # The recovery-code form fits too, and the switch back works.
    recovery.click()
    assert_fits(page, page.get_by_label("Recovery code"), verify)
    page.get_by_role("button", name="Use the authenticator app code instead").click()
    field.fill(next_code(secret))
    verify.click()
    page.get_by_role("button", name="Sign out", exact=True).wait_for()
    expect(page).to_have_url(re.compile(r"/account$"))
    assert_fits(page, page.get_by_role("button", name="Sign out", exact=True))
