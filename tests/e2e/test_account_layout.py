"""Your account, looked at on a desktop and a phone: each form's fields, advice and messages
line up in one column (the PIN form's success message no wider than its inputs), and the
sessions' buttons keep their label on one line."""

import pytest
from playwright.sync_api import Browser, Locator, expect

from tests.e2e.conftest import open_page, screenshot, sign_in

PIN = "7391"  # a PIN the rules accept (not a run, not repeated, not common)


def edges(locator: Locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None
    return round(box["x"], 1), round(box["x"] + box["width"], 1)


def assert_one_column(form: Locator) -> None:
    """Every field and message of the form starts where its inputs start and ends no
    further right than they do."""
    left, right = edges(form.locator("input").first)
    for part in form.locator("input, .password-advice, .success, .form-error, .field-error").all():
        part_left, part_right = edges(part)
        assert part_left == left and part_right <= right + 0.5, (part.inner_html(), left, right)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_pin_and_password_forms_line_up(browser: Browser, server: str, width: int) -> None:
    from backend.demo import DEMO_ADMIN_PASSWORD

    with open_page(browser, server, width=width, height=900) as page:
        sign_in(page)
        page.goto("/account")
        pin = page.locator("form[data-form=pin]")
        pin.get_by_label("Current password").fill(DEMO_ADMIN_PASSWORD)
        pin.get_by_label("New PIN").fill(PIN)
        pin.get_by_role("button", name="Change PIN").click()
        expect(pin.get_by_role("status")).to_have_text("Your app unlock PIN is changed.")
        assert_one_column(pin)
        assert_one_column(page.locator("form[data-form=password-change]"))
        screenshot(page, f"account-{width}")

        end = page.get_by_role("button", name="End session").or_(
            page.get_by_role("button", name="Sign out everywhere")
        )
        for button in end.all():
            assert button.evaluate("b => b.getClientRects().length") == 1
            height = button.evaluate("b => b.getBoundingClientRect().height")
            line = button.evaluate("b => parseFloat(getComputedStyle(b).lineHeight)")
            assert height < 2 * line, button.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
