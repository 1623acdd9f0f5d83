"""An address that is none of the app's pages: the server answers the app's shell with a
404, and the app says so, with a way back, instead of quietly showing another page."""

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import screenshot, sign_in


def test_an_unknown_path_shows_page_not_found_and_links_back(browser: Browser, server: str) -> None:
    # Not open_page: that fixture fails a test on any 404, and this one is meant.
    context = browser.new_context(base_url=server)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        response = page.goto("/no-such-page")
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(page.get_by_text("/no-such-page")).to_be_visible()
        assert page.url == f"{server}/no-such-page"  # the wrong address stays visible
        screenshot(page, "not-found-page")

        page.get_by_role("link", name="Go to the start page").click()
        expect(page.get_by_label("Username")).to_be_visible()  # signed out: sign-in
        assert page.url == f"{server}/sign-in"

        sign_in(page)
        page.goto("/roles/typo")  # (/staff/<id> is a staff member's address)
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        page.get_by_role("link", name="Go to the start page").click()
        page.wait_for_url(f"{server}/staff")
    finally:
        context.close()
    assert errors == [], errors
