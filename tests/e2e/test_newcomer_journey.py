"""Issue 3's "done when", entirely through the browser: sign in, add a staff member, open
the activation email from the Mailbox page, activate, and see the person under Active."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_staff_drawer import drawer, field
from tests.pins import STAFF_PIN

GIVEN = "Harbor-Quartz-4471"
OWN = "Maple-Signal-9025-Own"


def test_add_activate_and_see_the_person_active(page: Page) -> None:
    sign_in(page)
    page.get_by_role("main").get_by_role("button", name="Add Staff").click()
    field(page, "First Name").fill("Nadia")
    field(page, "Last Name").fill("Newcomer")
    field(page, "Primary Provider").select_option(label="Hannah Provider")
    field(page, "Role").select_option(label="Nurse (System)")
    field(page, "Username").fill("nnewcomer")
    field(page, "Email").fill("nadia.newcomer@example.com")
    field(page, "Password").fill(GIVEN)
    field(page, "Confirm Password").fill(GIVEN)
    field(page, "App Unlock PIN").fill(STAFF_PIN)
    drawer(page).get_by_role("button", name="Add Staff").click()
    expect(drawer(page)).to_be_hidden()

    pending = page.get_by_role("tab", name="Pending (3)")
    expect(pending).to_be_visible()
    pending.click()
    expect(page.get_by_role("row", name=re.compile("Nadia Newcomer"))).to_be_visible()

    # The activation email, from the development mailbox page.
    page.get_by_role("link", name="Mailbox").click()
    item = page.locator(".mailbox-item", has_text="nadia.newcomer@example.com")
    for _ in range(20):  # the outbox sender delivers within a moment
        if item.count():
            break
        page.get_by_role("button", name="Refresh").click()
        page.wait_for_timeout(250)
    item.locator("summary").click()
    item.get_by_role("link", name="Open activation link").click()

    expect(page.get_by_role("heading", name="Activate your account")).to_be_visible()
    page.get_by_label("Username").fill("nnewcomer")
    page.get_by_label("Password from your administrator").fill(GIVEN)
    page.get_by_label("New password", exact=True).fill(OWN)
    page.get_by_label("Confirm new password").fill(OWN)
    page.get_by_role("button", name="Activate account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is active.")
    screenshot(page, "activation-success-journey")

    # The administrator signs back in and finds the person under Active.
    page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in(page)
    expect(page.get_by_role("tab", name="Active (4)")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Nadia Newcomer"))).to_be_visible()
