"""The Staff list's fit and density: no sideways scrolling and every row button in reach at
1280, 1024 and 390 px (a card per person on the phone), and at least 12 rows in view on a
1280 x 800 screen. On an app of its own with 15 more pending staff."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.api import Api
from tests.e2e.conftest import SCREENSHOTS, open_page, screenshot, sign_in
from tests.live_server import live_server

EXTRA_STAFF = 15

# Every button of every row, with its box against the viewport's width.
BUTTONS_OUTSIDE = """() => [...document.querySelectorAll('staff-list tbody button')]
  .filter((b) => {
    const r = b.getBoundingClientRect();
    return r.left < 0 || r.right > innerWidth;
  })
  .map((b) => b.textContent.trim())"""

ROWS_IN_VIEW = """() => [...document.querySelectorAll('staff-list tbody tr')]
  .filter((tr) => {
    const r = tr.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight;
  })
  .length"""


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("layout"), TRUSTED_DOCUMENTS_ONLY="true") as base:
        with Api(base) as api:
            for number in range(1, EXTRA_STAFF + 1):
                api.create_staff(f"layout{number:02d}", lastName=f"Longer-Surname {number:02d}")
        yield base


def show_tab(page: Page, label: str, rows: int) -> None:
    page.get_by_role("tab", name=re.compile(rf"^{label}\b")).click()
    expect(page.locator("staff-list tbody tr")).to_have_count(rows)


@pytest.mark.parametrize("width", [1280, 1024, 390])
def test_the_list_fits_the_screen(browser: Browser, crowded: str, width: int) -> None:
    with open_page(browser, crowded, width=width, height=900) as page:
        sign_in(page)
        for label, rows in [("Active", 3), ("Pending", 2 + EXTRA_STAFF), ("Inactive", 1)]:
            show_tab(page, label, rows)
            page.mouse.move(0, 0)
            assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), label
            assert page.evaluate(BUTTONS_OUTSIDE) == [], label
            screenshot(page, f"staff-list-{label.lower()}-{width}")
        if width == 390:
            # The cards keep the actions and the details of each person.
            card = page.locator("staff-list tbody tr").first
            expect(card.get_by_role("button", name=re.compile("^Reactivate"))).to_be_in_viewport()
            expect(card.get_by_text("Never")).to_be_visible()


def test_twelve_rows_in_view_at_1280_by_800(browser: Browser, crowded: str) -> None:
    with open_page(browser, crowded, width=1280, height=800) as page:
        sign_in(page)
        show_tab(page, "Pending", 2 + EXTRA_STAFF)
        page.evaluate("window.scrollTo(0, 0)")
        in_view = page.evaluate(ROWS_IN_VIEW)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # The screen, not the whole page.
        page.screenshot(path=SCREENSHOTS / "staff-list-density-1280x800.png")
        assert in_view >= 12, in_view


def test_printed_the_list_has_no_controls(browser: Browser, crowded: str) -> None:
    with open_page(browser, crowded) as page:
        sign_in(page)
        show_tab(page, "Active", 3)
        page.emulate_media(media="print")
        for hidden in [
            page.get_by_role("search", name="Filter staff"),
            page.get_by_role("button", name="Add Staff"),
            page.get_by_role("link", name="Export CSV"),
            page.get_by_role("button", name="View Brian Biller"),
            page.get_by_role("checkbox", name="Select Brian Biller"),
            page.get_by_role("tab", name=re.compile("^Pending")),
        ]:
            expect(hidden).to_be_hidden()
        expect(page.get_by_role("rowheader", name=re.compile("^Brian Biller"))).to_be_visible()
        expect(page.get_by_role("tab", name=re.compile("^Active"))).to_be_visible()
        # The column headings stay, the sortable ones (buttons) included.
        for heading in ["Name", "Username", "Email", "Last sign-in"]:
            expect(
                page.get_by_role("columnheader", name=re.compile(f"^{heading}", re.I))
            ).to_be_visible()
        screenshot(page, "staff-list-print")
