import re

from playwright.sync_api import Page, expect

from tests.e2e.api import Api
from tests.e2e.conftest import sign_in


def test_an_ended_session_sends_the_person_to_sign_in_with_a_message(
    page: Page, server: str
) -> None:
    sign_in(page)
    # The administrator signs out everywhere from another device: the browser's session ends.
    api = Api(server)
    api.call("mutation { logout(input: {everywhere: true}) { ok } }")
    api.close()
    page.get_by_role("link", name="Roles & Permissions").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("status")).to_have_text(
        "Your session has ended. Sign in again to continue."
    )


def test_staff_without_manage_accounts_see_their_account_page(page: Page, server: str) -> None:
    api = Api(server)
    api.create_staff("nurse.sessions")
    api.close()
    # Demo staff cnurse is active with the demo staff password.
    sign_in(page, "cnurse", "Welcome-Staff-2026")
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_role("link", name="Staff", exact=True)).to_have_count(0)
    page.goto("/staff")
    expect(page).to_have_url(re.compile(r"/account$"))
