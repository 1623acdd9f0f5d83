"""The Staff page keeps its state in the address: tab, search, filters and sort in the query
string (Back and Forward restore them, a fresh load shows them), each person at
/staff/<id> (opening them pushes it, closing the drawer goes back to the list), the
column sort, and the feedback after Add Staff."""

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests.e2e.api import GIVEN_PASSWORD, Api
from tests.e2e.conftest import screenshot, sign_in
from tests.pins import STAFF_PIN


@pytest.fixture(scope="module")
def api(server: str) -> Iterator[Api]:
    with Api(server) as client:
        yield client


def tab(page: Page, label: str) -> Locator:
    return page.get_by_role("tab", name=re.compile(rf"^{label}\b"))


def names(page: Page) -> Locator:
    return page.locator("staff-list tbody .staff-name")


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def path(page: Page) -> str:
    return urlsplit(page.url).path


def drawer(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Staff Information")


def test_back_and_forward_restore_tab_search_and_filters(page: Page) -> None:
    sign_in(page)
    expect(names(page)).to_have_text(["Alex Admin", "Brian Biller", "Camille Nurse"])
    assert query(page) == {}  # the defaults stay out of the address

    tab(page, "Pending").click()
    expect(names(page)).to_have_text(["Fiona Frontdesk", "Peter Pending"])
    assert query(page) == {"tab": ["pending"]}

    # Typing a search is one history entry, however many pauses it has.
    entries = page.evaluate("history.length")
    search = page.get_by_label("Search by staff name, username")
    search.press_sequentially("fio", delay=50)
    expect(names(page)).to_have_text(["Fiona Frontdesk"])
    page.wait_for_timeout(400)
    search.press_sequentially("na", delay=50)
    expect(page).to_have_url(re.compile(r"q=fiona"))
    assert page.evaluate("history.length") == entries + 1
    assert query(page) == {"tab": ["pending"], "q": ["fiona"]}

    page.get_by_label("Sign-in locked").check()
    expect(page.get_by_text("No pending staff match your search.")).to_be_visible()
    assert query(page)["locked"] == ["1"]

    page.go_back()
    expect(page.get_by_label("Sign-in locked")).not_to_be_checked()
    expect(search).to_have_value("fiona")
    expect(tab(page, "Pending")).to_have_attribute("aria-selected", "true")
    expect(names(page)).to_have_text(["Fiona Frontdesk"])

    page.go_back()
    expect(search).to_have_value("")
    expect(names(page)).to_have_text(["Fiona Frontdesk", "Peter Pending"])

    page.go_back()
    expect(tab(page, "Active")).to_have_attribute("aria-selected", "true")
    expect(names(page)).to_have_text(["Alex Admin", "Brian Biller", "Camille Nurse"])

    page.go_forward()
    expect(tab(page, "Pending")).to_have_attribute("aria-selected", "true")
    expect(names(page)).to_have_text(["Fiona Frontdesk", "Peter Pending"])


def test_link_expired_filter_is_for_pending_only(page: Page) -> None:
    sign_in(page)
    expired = page.get_by_label("Link expired")
    expect(expired).to_be_hidden()  # Active: nobody there has a link
    tab(page, "Pending").click()
    with page.expect_request(lambda r: '"linkExpired":true' in (r.post_data or "")):
        expired.check()
    # The demo's links are fresh.
    expect(page.get_by_text("No pending staff match your search.")).to_be_visible()
    assert query(page) == {"tab": ["pending"], "expired": ["1"]}
    tab(page, "Active").click()
    expect(expired).to_be_hidden()
    assert query(page) == {}  # not carried to a tab where it cannot match
    expect(names(page)).to_have_text(["Alex Admin", "Brian Biller", "Camille Nurse"])


def test_a_fresh_load_shows_the_state_in_the_address(page: Page) -> None:
    sign_in(page)
    page.goto("/staff?tab=pending&q=peter&twoFactor=off")
    expect(tab(page, "Pending")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Search by staff name, username")).to_have_value("peter")
    expect(page.get_by_label("2-Factor Auth")).to_have_value("false")
    expect(names(page)).to_have_text(["Peter Pending"])
    expect(tab(page, "Pending")).to_have_text("Pending (1)")

    # Clear filters, offered when nothing matches, keeps the tab.
    page.goto("/staff?tab=inactive&q=nobody-like-this")
    expect(page.get_by_text("No inactive staff match your search.")).to_be_visible()
    page.get_by_role("button", name="Clear filters").click()
    expect(names(page)).to_have_text(["Iris Inactive"])
    assert query(page) == {"tab": ["inactive"]}


def test_each_person_has_an_address_that_opens_the_drawer(page: Page, api: Api) -> None:
    camille = api.staff("cnurse")
    sign_in(page)
    page.goto(f"/staff/{camille['id']}")
    expect(drawer(page)).to_be_visible()
    expect(drawer(page).get_by_role("heading", name="Camille Nurse")).to_be_visible()
    expect(names(page)).to_have_count(3)  # the list behind it
    drawer(page).get_by_role("button", name="Close").click()
    expect(drawer(page)).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/staff$"))

    # Opened from the list: its own address, Back closes it, Forward opens it again.
    tab(page, "Pending").click()
    page.get_by_role("link", name="Peter Pending").click()
    expect(drawer(page).get_by_role("heading", name="Peter Pending")).to_be_visible()
    peter = api.staff("ppending")
    assert path(page) == f"/staff/{peter['id']}"
    page.go_back()
    expect(drawer(page)).to_be_hidden()
    assert path(page) == "/staff" and query(page) == {"tab": ["pending"]}
    page.go_forward()
    expect(drawer(page).get_by_role("heading", name="Peter Pending")).to_be_visible()
    # Closing goes back to the list's entry rather than adding one.
    page.keyboard.press("Escape")
    expect(drawer(page)).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/staff\?tab=pending$"))
    expect(tab(page, "Pending")).to_have_attribute("aria-selected", "true")

    page.goto("/staff/not-a-staff-id")
    expect(drawer(page)).to_contain_text("does not exist")


def test_a_shared_address_opens_after_signing_in(page: Page, api: Api) -> None:
    """A colleague who is signed out follows a link to a person: the sign-in page first,
    then that person and that list, not the home page."""
    camille = api.staff("cnurse")
    page.goto(f"/staff/{camille['id']}?tab=active&q=camille")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.get_by_label("Username").fill(DEMO_ADMIN_USERNAME)
    page.get_by_label("Password").fill(DEMO_ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(drawer(page).get_by_role("heading", name="Camille Nurse")).to_be_visible()
    assert path(page) == f"/staff/{camille['id']}"
    assert query(page) == {"tab": ["active"], "q": ["camille"]}

    # Signing out and in again starts at home: the address was left on purpose.
    drawer(page).get_by_role("button", name="Close").click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/staff$"))


def test_sorting_by_a_column_reorders_the_rows(page: Page) -> None:
    sign_in(page)
    expect(names(page)).to_have_text(["Alex Admin", "Brian Biller", "Camille Nurse"])
    name_header = page.get_by_role("columnheader", name=re.compile("^Name"))
    expect(name_header).to_have_attribute("aria-sort", "ascending")
    name_header.get_by_role("button").click()
    expect(names(page)).to_have_text(["Camille Nurse", "Brian Biller", "Alex Admin"])
    expect(page.get_by_role("columnheader", name=re.compile("^Name"))).to_have_attribute(
        "aria-sort", "descending"
    )
    assert query(page) == {"dir": ["desc"]}

    # By email: admin@, bbiller@, cnurse@ (ascending on the first press).
    page.get_by_role("columnheader", name=re.compile("^Email")).get_by_role("button").click()
    expect(names(page)).to_have_text(["Alex Admin", "Brian Biller", "Camille Nurse"])
    expect(page.get_by_role("columnheader", name=re.compile("^Email"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert query(page) == {"sort": ["email"]}
    page.go_back()
    expect(names(page)).to_have_text(["Camille Nurse", "Brian Biller", "Alex Admin"])

    # The cards have a select instead of headers.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_label("Sort by").select_option(label="Name (A–Z)")
    expect(names(page)).to_have_text(["Alex Admin", "Brian Biller", "Camille Nurse"])
    assert query(page) == {}


def test_add_staff_says_so_and_shows_the_new_person(page: Page) -> None:
    sign_in(page)
    page.get_by_role("button", name="Add Staff").click()
    form = drawer(page)
    expect(form.get_by_label(re.compile(r"^First Name"))).to_be_focused()
    form.get_by_label(re.compile(r"^First Name")).fill("Nora")
    form.get_by_label(re.compile(r"^Last Name")).fill("Newcomer")
    form.get_by_label(re.compile(r"^Primary Provider")).select_option(label="Hannah Provider")
    form.get_by_label(re.compile(r"^Role")).select_option(label="Nurse (System)")
    form.get_by_label(re.compile(r"^Username")).fill("nnewcomer")
    form.get_by_label(re.compile(r"^Email")).fill("nnewcomer@example.com")
    form.get_by_label(re.compile(r"^Password \*")).fill(GIVEN_PASSWORD)
    form.get_by_label(re.compile(r"^Confirm Password")).fill(GIVEN_PASSWORD)
    form.get_by_label(re.compile(r"^App Unlock PIN")).fill(STAFF_PIN)
    form.get_by_role("button", name="Add Staff").click()
    expect(drawer(page)).to_be_hidden()

    status = page.get_by_role("status").filter(has_text="was added")
    expect(status).to_have_text(
        re.compile(r"Nora Newcomer was added and sent an activation email\.\s*Open")
    )
    # Shown where they are: the Pending tab, their row marked.
    expect(tab(page, "Pending")).to_have_attribute("aria-selected", "true")
    expect(page.locator("staff-list tr.staff-row-new .staff-name")).to_have_text("Nora Newcomer")
    screenshot(page, "staff-page-added")
    status.get_by_role("button", name="Open Nora Newcomer").click()
    expect(drawer(page).get_by_role("heading", name="Nora Newcomer")).to_be_visible()


def test_a_malformed_person_address_shows_the_list(page: Page) -> None:
    """/staff/%E0%A4%A cannot be decoded: the list shows, with no script error (the page
    fixture fails the test on one)."""
    sign_in(page)
    page.goto("/staff/%E0%A4%A")
    expect(tab(page, "Active")).to_have_attribute("aria-selected", "true")
    expect(names(page).first).to_be_visible()
    expect(drawer(page)).to_have_count(0)


def test_the_navigations_staff_link_shows_the_list_it_names(page: Page, api: Api) -> None:
    sign_in(page)
    page.goto("/staff?tab=pending&q=fiona")
    expect(names(page)).to_have_text(["Fiona Frontdesk"])
    staff_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Staff")
    staff_link.click()  # the page stays; the address says the defaults, and so does the list
    expect(tab(page, "Active")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("Search by staff name, username")).to_have_value("")
    expect(names(page)).to_have_count(3)
    assert path(page) == "/staff" and query(page) == {}

    # A person's address is still the Staff page in the navigation.
    page.goto(f"/staff/{api.staff('cnurse')['id']}")
    expect(drawer(page)).to_be_visible()
    expect(staff_link).to_have_attribute("aria-current", "page")
