"""The practice's "Require two-factor authentication for accounts with Manage Accounts" in the
browser: the Security card on Roles & Permissions, a manager held to enrolment at sign-in
who enrols on the account page and then reaches Staff in the same session, and the
refusals (the administrator has no two-factor sign-in; turning it off while required)."""

import json
import re
import uuid
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from backend.documents.spa_manifest import MANIFEST_FILE
from tests.e2e.api import GIVEN_PASSWORD, Api
from tests.e2e.conftest import open_page, screenshot, sign_in
from tests.e2e.test_activation import fill_activation
from tests.e2e.test_two_factor_ui import sign_out

MANAGER_ROLE = "Practice Administrator (System)"
OWN_PASSWORD = "Quiet-Harbour-Lantern-58"
REQUIRE_LABEL = "Require two-factor authentication for accounts with Manage Accounts"
SETTING = "{ viewer { practice { requireTwoFactorForManagers } } }"
HELD_MESSAGE = "requires two-factor sign-in for accounts that manage staff"
STAFF_COUNTS = next(
    entry["body"]
    for entry in json.loads(MANIFEST_FILE.read_text())["documents"]
    if entry["name"] == "StaffCounts"
)


@pytest.fixture
def api(server: str) -> Iterator[Api]:
    client = Api(server)
    yield client
    client.close()


def new_manager(api: Api) -> str:
    """An active staff member whose role holds Manage Accounts, with no two-factor sign-in."""
    username = f"mgr{uuid.uuid4().hex[:8]}"
    api.create_staff(username, role=MANAGER_ROLE)
    api.activate(username, OWN_PASSWORD)
    return username


def security_card(page: Page) -> Locator:
    return page.get_by_role("region", name="Security")


def enrol_in_the_browser(page: Page, start: Locator) -> str:
    """Sets up two-factor sign-in on the account page from the `start` button; returns the
    secret. Stops at the recovery codes, before they are acknowledged."""
    start.click()
    section = page.get_by_role("region", name="Two-factor authentication")
    expect(section.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = section.locator(".totp-secret").inner_text().strip()
    section.get_by_label("Enter the 6-digit code the app shows").fill(pyotp.TOTP(secret).now())
    section.get_by_role("button", name="Turn on two-factor sign-in").click()
    codes = section.get_by_role("list", name="Your recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    return secret


def test_turning_it_on_needs_two_factor_on_your_own_account(
    page: Page, api: Api, server: str
) -> None:
    username = new_manager(api)
    sign_in(page, username, OWN_PASSWORD)
    page.goto("/roles")
    card = security_card(page)
    box = card.get_by_role("checkbox", name=REQUIRE_LABEL)
    expect(box).not_to_be_checked()
    expect(card).to_contain_text("next sign-in")

    box.click()
    expect(card.get_by_role("alert")).to_contain_text(
        "Turn on two-factor sign-in for your own account first."
    )
    expect(box).not_to_be_checked()
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_be_focused()
    assert api.call(SETTING)["viewer"]["practice"]["requireTwoFactorForManagers"] is False
    screenshot(page, "two-factor-requirement-refused")

    # The error leads to where two-factor sign-in is set up.
    card.get_by_role("link", name="Set it up in Your account").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    section = page.get_by_role("region", name="Two-factor authentication")
    expect(section.get_by_role("button", name="Set up two-factor sign-in")).to_be_visible()


def test_a_manager_is_held_to_enrolment_then_reaches_staff(
    page: Page, browser: Browser, api: Api, server: str
) -> None:
    manager = new_manager(api)  # before the administrator's own sign-in needs a code

    # The administrator turns on two-factor sign-in for themself, then the requirement.
    sign_in(page)
    page.goto("/account")
    enrol_in_the_browser(page, page.get_by_role("button", name="Set up two-factor sign-in"))
    page.get_by_role("button", name="I have stored my recovery codes").click()
    page.goto("/roles")
    card = security_card(page)
    box = card.get_by_role("checkbox", name=REQUIRE_LABEL)
    expect(box).not_to_be_checked()
    box.click()
    expect(card.get_by_role("status")).to_have_text(
        "✔ Two-factor sign-in is now required for accounts with Manage Accounts."
    )
    expect(box).to_be_checked()
    screenshot(page, "two-factor-requirement-on")
    page.reload()
    expect(security_card(page).get_by_role("checkbox", name=REQUIRE_LABEL)).to_be_checked()

    # The other manager signs in (in a browser of their own) and is held to enrolment.
    with open_page(browser, server) as other:
        sign_in(other, manager, OWN_PASSWORD)
        expect(other).to_have_url(re.compile(r"/account$"))
        banner = other.get_by_role("alert").filter(has_text="Set up two-factor sign-in to continue")
        expect(banner).to_contain_text(HELD_MESSAGE)
        nav = other.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="Your account")).to_be_visible()
        expect(nav.get_by_role("link", name="Staff", exact=True)).to_have_count(0)
        expect(nav.get_by_role("link", name="Roles & Permissions")).to_have_count(0)
        # The PIN waits until enrolment, like everything else.
        expect(other.get_by_role("region", name="App unlock PIN")).to_have_count(0)
        screenshot(other, "two-factor-requirement-held")

        for path in ("/staff", "/roles"):
            other.goto(path)
            expect(other).to_have_url(re.compile(r"/account$"))
            expect(banner).to_be_visible()
            expect(other.get_by_role("heading", name="Staff", exact=True)).to_have_count(0)
        # The server refuses staff data to this session too.
        # The Staff page's own document (the server trusts only the SPA's).
        refused = other.evaluate(
            "(query) => import('/src/gql.js').then(m => m.gql(query))"
            ".then(() => 'answered', error => error.code)",
            STAFF_COUNTS,
        )
        assert refused == "TWO_FACTOR_ENROLLMENT_REQUIRED"

        enrol_in_the_browser(other, banner.get_by_role("button", name="Set up two-factor sign-in"))
        # Still held until the recovery codes are acknowledged.
        expect(nav.get_by_role("link", name="Staff", exact=True)).to_have_count(0)
        other.get_by_role("button", name="I have stored my recovery codes").click()

        section = other.get_by_role("region", name="Two-factor authentication")
        expect(section.get_by_role("status")).to_contain_text(
            "You can use everything your role allows."
        )
        expect(section).to_contain_text("✔ On")
        expect(banner).to_have_count(0)
        expect(nav.get_by_role("link", name="Staff", exact=True)).to_be_visible()
        expect(other.get_by_role("region", name="App unlock PIN")).to_be_visible()
        section.get_by_role("link", name="Go to Staff").click()
        expect(other).to_have_url(re.compile(r"/staff$"))
        expect(other.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
        expect(other.get_by_role("row", name=re.compile(manager))).to_be_visible()

        # While the practice requires it, the manager cannot turn it off again.
        other.goto("/account")
        section = other.get_by_role("region", name="Two-factor authentication")
        expect(section).to_contain_text(
            "Your practice requires two-factor sign-in for accounts that manage staff."
        )
        section.get_by_role("button", name="Turn off two-factor sign-in").click()
        section.get_by_label("Current password").fill(OWN_PASSWORD)
        section.get_by_role("button", name="Turn off", exact=True).click()
        expect(section.get_by_role("alert")).to_contain_text("so it cannot be turned off")
        expect(section.get_by_label("Current password")).not_to_have_attribute(
            "aria-invalid", re.compile(".*")
        )
        expect(section).to_contain_text("✔ On")
        screenshot(other, "two-factor-requirement-disable-refused")
        sign_out(other)

    # A manager who activates their account meanwhile is held as well, and led to the set-up.
    newcomer = f"mgr{uuid.uuid4().hex[:8]}"
    api.create_staff(newcomer, role=MANAGER_ROLE)
    with open_page(browser, server) as other:
        other.goto(f"/activate#token={api.activation_token(newcomer)}")
        fill_activation(other, newcomer, GIVEN_PASSWORD, OWN_PASSWORD)
        other.get_by_role("button", name="Activate account").click()
        expect(other.get_by_role("status")).to_contain_text("Your account is active.")
        expect(other.get_by_role("main")).to_contain_text(HELD_MESSAGE)
        expect(other.get_by_role("button", name="Continue to Staff")).to_have_count(0)
        other.get_by_role("button", name="Set up two-factor sign-in").click()
        expect(other).to_have_url(re.compile(r"/account$"))
        expect(other.get_by_role("alert")).to_contain_text(HELD_MESSAGE)
        screenshot(other, "two-factor-requirement-after-activation")

    # The administrator turns the requirement off again (other tests sign managers in).
    box = security_card(page).get_by_role("checkbox", name=REQUIRE_LABEL)
    box.click()
    expect(security_card(page).get_by_role("status")).to_have_text(
        "✔ Two-factor sign-in is no longer required for accounts with Manage Accounts."
    )
    expect(box).not_to_be_checked()
