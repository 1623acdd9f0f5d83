import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in


def test_sign_in_and_out(page: Page) -> None:
    page.goto("/staff")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/staff$"))
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")


def test_wrong_password_says_so(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The username or password is incorrect.")
