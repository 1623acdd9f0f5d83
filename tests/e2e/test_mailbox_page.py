"""The development mailbox keeps itself current: an email sent after the page opened appears
without pressing Refresh, the page stops asking while its tab is hidden, and a failed look
offers to try again."""

import re

from playwright.sync_api import Page, Route, expect

from tests.e2e.api import Api


def mailbox_requests(page: Page) -> list[str]:
    seen: list[str] = []
    page.on(
        "request",
        lambda request: seen.append(request.url) if "/dev/mailbox" in request.url else None,
    )
    return seen


def set_hidden(page: Page, hidden: bool) -> None:
    """What the browser does when the tab goes to the background (or comes back)."""
    page.evaluate(
        """hidden => {
          Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
          document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def test_an_email_sent_after_the_page_opened_appears_without_refresh(
    page: Page, server: str
) -> None:
    page.goto("/mailbox")
    expect(page.get_by_role("status")).to_contain_text("in the mailbox.")
    with Api(server) as api:
        api.create_staff("mpolled")
    item = page.locator(".mailbox-item", has_text="mpolled@example.com")
    expect(item).to_be_visible(timeout=15_000)
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"^1 new email: \d+ emails"))
    expect(item.locator("time")).to_have_count(1)


def test_the_page_stops_asking_while_hidden_and_asks_again_when_shown(page: Page) -> None:
    seen = mailbox_requests(page)
    page.goto("/mailbox")
    expect(page.get_by_role("status")).to_contain_text("in the mailbox.")
    set_hidden(page, True)
    asked = len(seen)
    page.wait_for_timeout(4_000)  # more than one polling interval
    assert len(seen) == asked, seen
    set_hidden(page, False)
    page.wait_for_timeout(500)
    assert len(seen) == asked + 1, seen  # at once, not a whole interval later


def test_a_failed_look_offers_to_try_again(page: Page) -> None:
    def refuse(route: Route) -> None:
        route.abort()

    page.route("**/dev/mailbox", refuse)
    page.goto("/mailbox")
    expect(page.get_by_role("alert")).to_have_text(re.compile("The server cannot be reached"))
    page.unroute("**/dev/mailbox", refuse)
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_role("list", name="Emails, newest first")).to_be_visible()
