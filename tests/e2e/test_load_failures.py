"""When the server cannot be reached, each part of a page says so and offers "Try again",
which loads it once the server answers again: Your account (details, two-factor sign-in,
sessions), API clients, Webhooks and the Security card of Roles & Permissions."""

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import sign_in, spa_navigate

UNREACHABLE = "The server cannot be reached"


def refuse(route: Route) -> None:
    route.abort()


def test_your_account_offers_try_again_for_each_part(page: Page) -> None:
    sign_in(page)
    page.route("**/graphql", refuse)
    spa_navigate(page, "/account")
    main = page.get_by_role("main")
    expect(main.get_by_role("alert").filter(has_text=UNREACHABLE)).to_have_count(3)
    retries = main.get_by_role("button", name="Try again")
    expect(retries).to_have_count(3)

    page.unroute("**/graphql", refuse)
    for _ in range(3):
        retries.first.click()
    expect(retries).to_have_count(0)
    expect(main.get_by_role("alert")).to_have_count(0)
    expect(page.locator(".account-details")).to_contain_text("admin")
    expect(main.get_by_text("Status:")).to_be_visible()
    expect(main.get_by_text("This browser")).to_be_visible()


@pytest.mark.parametrize(
    ("path", "loaded"),
    [("/api-clients", "No API clients yet."), ("/webhooks", "No webhook endpoints yet.")],
)
def test_partner_pages_offer_try_again(page: Page, path: str, loaded: str) -> None:
    sign_in(page)
    page.route("**/graphql", refuse)
    spa_navigate(page, path)
    expect(
        page.get_by_role("main").get_by_role("alert").filter(has_text=UNREACHABLE)
    ).to_be_visible()
    page.unroute("**/graphql", refuse)
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_text(loaded)).to_be_visible()


def test_the_security_card_offers_try_again(page: Page) -> None:
    sign_in(page)
    page.route("**/graphql", refuse)
    spa_navigate(page, "/roles")
    card = page.locator("security-settings")
    expect(card.get_by_role("alert")).to_contain_text(UNREACHABLE)
    page.unroute("**/graphql", refuse)
    card.get_by_role("button", name="Try again").click()
    expect(card.get_by_role("checkbox", name="Require two-factor authentication")).to_be_visible()
    expect(card.get_by_role("alert")).to_have_count(0)
