"""The Staff Information drawer does not throw away a half-filled form: Close, Escape and
the backdrop ask first when the form has changes, and close at once when it has none."""

from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_staff_drawer import OPEN_CREATE, drawer, field, find_staff, open_view


def discard_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Discard your changes?")


def test_escape_asks_before_discarding_what_was_typed(page: Page) -> None:
    sign_in(page)
    page.evaluate(OPEN_CREATE)
    field(page, "First Name").fill("Half")
    field(page, "Username").fill("hfilled")

    page.keyboard.press("Escape")
    dialog = discard_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Keep editing")).to_be_focused()
    screenshot(page, "staff-drawer-discard")
    dialog.get_by_role("button", name="Keep editing").click()
    expect(dialog).to_have_count(0)
    expect(drawer(page)).to_be_visible()
    expect(field(page, "First Name")).to_have_value("Half")
    expect(field(page, "Username")).to_have_value("hfilled")
    expect(field(page, "Username")).to_be_focused()

    # Escape in the question means "keep editing" too.
    drawer(page).get_by_role("button", name="Close").click()
    expect(discard_dialog(page)).to_be_visible()
    page.keyboard.press("Escape")
    expect(discard_dialog(page)).to_have_count(0)
    expect(field(page, "Username")).to_have_value("hfilled")

    # The backdrop asks too; keeping the form brings focus back into the drawer (the
    # click had left it on the page behind), where Escape still asks.
    page.mouse.click(40, 450)  # the backdrop
    discard_dialog(page).get_by_role("button", name="Keep editing").click()
    expect(drawer(page).get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    discard_dialog(page).get_by_role("button", name="Discard").click()
    expect(drawer(page)).to_be_hidden()
    expect(discard_dialog(page)).to_have_count(0)

    # Opened again: an empty form, which closes at once.
    page.evaluate(OPEN_CREATE)
    expect(field(page, "First Name")).to_have_value("")
    page.keyboard.press("Escape")
    expect(drawer(page)).to_be_hidden()
    expect(discard_dialog(page)).to_have_count(0)


def test_the_edit_form_asks_too_and_cancel_is_a_choice(page: Page, server: str) -> None:
    biller = find_staff(server, "bbiller")
    assert biller is not None
    sign_in(page)
    open_view(page, biller["id"], "Brian Biller")
    panel = drawer(page)

    # Viewing, or editing without a change: Escape closes at once.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    open_view(page, biller["id"], "Brian Biller")
    panel.get_by_role("button", name="Edit").click()
    expect(field(page, "First Name")).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(discard_dialog(page)).to_have_count(0)

    open_view(page, biller["id"], "Brian Biller")
    panel.get_by_role("button", name="Edit").click()
    field(page, "Send daily billing report").check()
    page.keyboard.press("Escape")
    discard_dialog(page).get_by_role("button", name="Discard").click()
    expect(panel).to_be_hidden()

    # Cancel is the person's own choice to drop the edit: no question.
    open_view(page, biller["id"], "Brian Biller")
    panel.get_by_role("button", name="Edit").click()
    field(page, "Last Name").fill("Changed")
    panel.get_by_role("button", name="Cancel").click()
    expect(discard_dialog(page)).to_have_count(0)
    expect(panel.locator(".sd-row", has_text="Last Name")).to_contain_text("Biller")


def test_a_session_that_ends_closes_the_form_without_asking(page: Page) -> None:
    sign_in(page)
    page.evaluate(OPEN_CREATE)
    field(page, "First Name").fill("Unsaved")
    page.evaluate("window.dispatchEvent(new CustomEvent('session-expired'))")
    expect(drawer(page)).to_be_hidden()
    expect(discard_dialog(page)).to_have_count(0)
    assert page.locator("staff-drawer input").count() == 0  # nothing typed lingers
