"""The Staff page: tabs and counts, the table, row actions, search and filters, the
endless list, keyboard use and the layout at 1280 and 390 px.

Tests share one demo app per module, so every test that changes a demo staff member puts
it back the way it found it; the endless list gets an app of its own."""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, Route, expect

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests.e2e.api import Api
from tests.e2e.conftest import screenshot, sign_in
from tests.live_server import ROOT, live_server

DRAWER_MODULE = ROOT / "frontend" / "src" / "components" / "staff-drawer" / "staff-drawer.js"
STAFF_ID = "query($u: String) { staffMembers(filter: {search: $u}) { edges { node { id } } } }"


@pytest.fixture(scope="module")
def api(server: str) -> Iterator[Api]:
    client = Api(server)
    yield client
    client.close()


def staff_id(api: Api, username: str) -> str:
    edges = api.call(STAFF_ID, {"u": username})["staffMembers"]["edges"]
    assert len(edges) == 1, edges
    return str(edges[0]["node"]["id"])


def act(api: Api, mutation: str, username: str) -> None:
    payload = api.call(
        f"mutation($i: StaffActionInput!) {{ {mutation}(input: $i) "
        "{ userErrors { message } } }",
        {"i": {"id": staff_id(api, username)}},
    )[mutation]
    assert payload["userErrors"] == [], payload


def tab(page: Page, label: str) -> Locator:
    return page.get_by_role("tab", name=re.compile(rf"^{label}\b"))


def rows(page: Page) -> Locator:
    return page.locator("staff-page table tbody tr")


def row(page: Page, name: str) -> Locator:
    return rows(page).filter(has=page.get_by_role("rowheader", name=re.compile(name)))


def expect_counts(page: Page, active: int, pending: int, inactive: int) -> None:
    expect(tab(page, "Active")).to_have_text(f"Active ({active})")
    expect(tab(page, "Pending")).to_have_text(f"Pending ({pending})")
    expect(tab(page, "Inactive")).to_have_text(f"Inactive ({inactive})")


def expect_names(page: Page, *names: str) -> None:
    expect(page.locator("staff-page tbody .staff-name")).to_have_text(
        [re.compile(rf"^{name}") for name in names]
    )


def staff_requests(page: Page) -> list[dict[str, Any]]:
    """The variables of every staff list request the page makes from now on."""
    seen: list[dict[str, Any]] = []

    def record(request: Request) -> None:
        body = request.post_data or ""
        if request.url.endswith("/graphql") and "staffMembers" in body:
            seen.append(json.loads(body)["variables"])

    page.on("request", record)
    return seen


def open_staff_page(page: Page) -> None:
    sign_in(page)
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Showing \d+ of \d+ records?$"))).to_be_visible()


def test_tabs_counts_and_the_table_of_each_status(page: Page) -> None:
    open_staff_page(page)
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb).to_have_text(
        re.compile(r"Account\W+Practice Management\W+General Management\W+Staff")
    )
    expect(breadcrumb.locator("[aria-current=page]")).to_have_text("Staff")
    expect(page.get_by_role("button", name="Add Staff")).to_be_visible()

    expect_counts(page, 3, 2, 1)
    expect(tab(page, "Active")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Active (3)")).to_be_visible()
    expect_names(page, "Alex Admin", "Brian Biller", "Camille Nurse")
    camille = row(page, "Camille Nurse")
    expect(camille.get_by_role("rowheader")).to_have_text(
        re.compile(r"Camille Nurse\s+Nurse \(System\)")
    )
    expect(camille.get_by_role("cell")).to_have_text(
        [
            "",  # the checkbox that selects the row for a bulk action
            "cnurse",
            "cnurse@demo-family-practice.example",
            # no cell phone column below 1360 px: it is in the drawer
            "Hannah Provider",
            "✘ Disabled",
            "Never",  # last sign-in
            re.compile("View.*Deactivate"),
        ]
    )
    expect(camille.get_by_role("button", name="View Camille Nurse")).to_be_visible()
    expect(camille.get_by_role("button", name="Deactivate Camille Nurse")).to_be_visible()
    # The administrator cannot deactivate themself, so the page does not offer it.
    admin = row(page, "Alex Admin")
    expect(admin.get_by_role("rowheader")).to_contain_text("(you)")
    expect(admin.get_by_role("button", name=re.compile("^Deactivate"))).to_have_count(0)
    expect(page.get_by_text("Showing 3 of 3 records")).to_be_visible()
    expect(page.get_by_text("You have reached the end.")).to_be_visible()
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()

    # Arrow keys move between the tabs and show each one's staff.
    tab(page, "Active").focus()
    page.keyboard.press("ArrowRight")
    expect(tab(page, "Pending")).to_be_focused()
    expect(tab(page, "Pending")).to_have_attribute("aria-selected", "true")
    expect(tab(page, "Active")).to_have_attribute("tabindex", "-1")
    expect(page.get_by_role("tabpanel", name="Pending (2)")).to_be_visible()
    expect_names(page, "Fiona Frontdesk", "Peter Pending")
    fiona = row(page, "Fiona Frontdesk")
    # Relative, with the exact time on hover.
    expect(fiona).to_contain_text(
        re.compile(r"Link expires (in \d+ (minutes|hours|days)|tomorrow)")
    )
    expect(fiona.locator(".staff-col-when time")).to_have_attribute(
        "title", re.compile(r"^\d{1,2} [A-Z][a-z]{2} 20\d\d, \d\d:\d\d [A-Z][A-Za-z0-9+:-]*$")
    )
    expect(fiona.get_by_role("button", name="Resend Fiona Frontdesk")).to_be_visible()
    expect(fiona.get_by_role("button", name="Cancel Fiona Frontdesk")).to_be_visible()
    expect(page.get_by_text("Showing 2 of 2 records")).to_be_visible()

    page.keyboard.press("ArrowRight")
    expect(tab(page, "Inactive")).to_be_focused()
    expect_names(page, "Iris Inactive")
    expect(row(page, "Iris Inactive").get_by_role("button")).to_have_text(
        ["Reactivate Iris Inactive"]
    )
    expect(page.get_by_text("Showing 1 of 1 record", exact=True)).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(tab(page, "Active")).to_be_focused()
    page.keyboard.press("End")
    expect(tab(page, "Inactive")).to_be_focused()
    page.keyboard.press("Home")
    expect(tab(page, "Active")).to_have_attribute("aria-selected", "true")
    expect_names(page, "Alex Admin", "Brian Biller", "Camille Nurse")


def test_an_expired_activation_link_says_so(page: Page) -> None:
    def expire(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        for edge in body.get("data", {}).get("staffMembers", {}).get("edges", []):
            if edge["node"]["activationExpiresAt"]:
                edge["node"]["activationExpiresAt"] = "2020-01-01T00:00:00+00:00"
        route.fulfill(response=response, json=body)

    page.route("**/graphql", expire)
    open_staff_page(page)
    tab(page, "Pending").click()
    expect(row(page, "Fiona Frontdesk")).to_contain_text("Link expired")
    expect(page.get_by_text("Link expires")).to_have_count(0)


def test_deactivate_with_confirmation_then_reactivate(page: Page, api: Api) -> None:
    page.clock.install()  # the moment to undo passes when the test says
    open_staff_page(page)
    row(page, "Camille Nurse").get_by_role("button", name="Deactivate Camille Nurse").click()
    dialog = page.get_by_role("dialog", name="Deactivate Camille Nurse?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("can no longer sign in")
    dialog.get_by_role("button", name="Deactivate").click()
    expect(dialog).to_be_hidden()
    # Shown as done at once, sent only once the moment to undo it has passed.
    expect(page.get_by_role("status")).to_have_text("Camille Nurse will be deactivated. Undo")
    expect_names(page, "Alex Admin", "Brian Biller")
    # Focus does not fall off the page with the row: it goes to the nearest row.
    expect(page.get_by_role("button", name="View Brian Biller")).to_be_focused()
    expect_counts(page, 2, 2, 2)
    assert api.staff("cnurse")["status"] == "ACTIVE"
    page.clock.fast_forward(5_000)
    expect(page.get_by_role("status")).to_have_text("✔ Camille Nurse was deactivated.")
    assert api.staff("cnurse")["status"] == "INACTIVE"
    expect(page.get_by_text("Showing 2 of 2 records")).to_be_visible()

    tab(page, "Inactive").click()
    expect_names(page, "Iris Inactive", "Camille Nurse")
    row(page, "Camille Nurse").get_by_role("button", name="Reactivate Camille Nurse").click()
    expect(page.get_by_role("status")).to_have_text("✔ Camille Nurse was reactivated.")
    expect_names(page, "Iris Inactive")
    expect_counts(page, 3, 2, 1)
    tab(page, "Active").click()
    expect_names(page, "Alex Admin", "Brian Biller", "Camille Nurse")


def test_resend_sends_a_new_link(page: Page) -> None:
    open_staff_page(page)
    tab(page, "Pending").click()
    row(page, "Fiona Frontdesk").get_by_role("button", name="Resend Fiona Frontdesk").click()
    expect(page.get_by_role("status")).to_have_text(
        "✔ A new activation link was sent to Fiona Frontdesk."
    )
    expect_names(page, "Fiona Frontdesk", "Peter Pending")
    expect(row(page, "Fiona Frontdesk")).to_contain_text("Link expires")
    expect(row(page, "Fiona Frontdesk").get_by_role("button", name="Resend")).to_be_focused()
    expect_counts(page, 3, 2, 1)


def test_cancel_verification_asks_first(page: Page) -> None:
    page.clock.install()
    open_staff_page(page)
    tab(page, "Pending").click()
    cancel = row(page, "Peter Pending").get_by_role("button", name="Cancel Peter Pending")

    # Going back changes nothing.
    cancel.click()
    dialog = page.get_by_role("dialog", name="Cancel Peter Pending's verification?")
    expect(dialog.get_by_role("button", name="Keep pending")).to_be_focused()
    dialog.get_by_role("button", name="Keep pending").click()
    expect(dialog).to_be_hidden()
    expect(cancel).to_be_focused()
    expect_names(page, "Fiona Frontdesk", "Peter Pending")
    expect(page.get_by_role("status")).to_have_text("")

    cancel.click()
    dialog.get_by_role("button", name="Cancel Verification").click()
    expect(page.get_by_role("status")).to_contain_text("will be cancelled")
    page.clock.fast_forward(5_000)
    expect(page.get_by_role("status")).to_have_text(
        "✔ Peter Pending's verification was cancelled; they are now inactive."
    )
    expect_names(page, "Fiona Frontdesk")
    expect_counts(page, 3, 1, 2)

    # Reactivating someone who never activated makes them pending again, with a new link.
    tab(page, "Inactive").click()
    row(page, "Peter Pending").get_by_role("button", name="Reactivate").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Peter Pending was reactivated and sent a new activation link"
    )
    expect_counts(page, 3, 2, 1)


def test_search_is_debounced_and_keeps_the_newest_answer(page: Page) -> None:
    open_staff_page(page)
    requests = staff_requests(page)
    search = page.get_by_label("Search by staff name, username")
    search.press_sequentially("biller", delay=60)
    expect_names(page, "Brian Biller")
    expect_counts(page, 1, 0, 0)
    expect(page.get_by_text("Showing 1 of 1 record", exact=True)).to_be_visible()
    page.wait_for_timeout(400)
    assert [r["filter"]["search"] for r in requests] == ["biller"]

    tab(page, "Pending").click()
    expect(page.get_by_text("No pending staff match your search.")).to_be_visible()
    expect(page.get_by_text(re.compile("^Showing"))).to_be_hidden()
    tab(page, "Active").click()
    expect_names(page, "Brian Biller")

    # A slow answer to an older search must not replace the answer to a newer one.
    held: list[Route] = []
    page.route(
        "**/graphql",
        lambda route: (
            held.append(route) if '"nurse"' in (route.request.post_data or "") else route.fallback()
        ),
    )
    with page.expect_request(
        lambda r: "staffMembers" in (r.post_data or "") and "nurse" in (r.post_data or "")
    ):
        search.fill("nurse")
    search.fill("frontdesk")
    tab(page, "Pending").click()
    expect_names(page, "Fiona Frontdesk")
    expect_counts(page, 0, 1, 0)
    assert len(held) == 2, [r.request.post_data for r in held]  # the list and the counts
    for route in held:
        with page.expect_response(lambda r, route=route: bool(r.request == route.request)):  # type: ignore[misc]
            route.fallback()
    page.wait_for_timeout(200)
    expect_names(page, "Fiona Frontdesk")
    expect_counts(page, 0, 1, 0)


def test_role_and_two_factor_filters(page: Page) -> None:
    open_staff_page(page)
    page.get_by_label("Role").select_option(label="Nurse (System)")
    expect_names(page, "Camille Nurse")
    expect_counts(page, 1, 1, 0)
    tab(page, "Pending").click()
    expect_names(page, "Peter Pending")

    # Nobody in the demo practice has two-factor sign-in.
    page.get_by_label("2-Factor Auth").select_option(label="Enabled")
    expect(page.get_by_text("No pending staff match your search.")).to_be_visible()
    expect_counts(page, 0, 0, 0)
    page.get_by_label("Role").select_option(label="All roles")
    expect(page.get_by_text("No pending staff match your search.")).to_be_visible()
    page.get_by_label("2-Factor Auth").select_option(label="Disabled")
    expect_names(page, "Fiona Frontdesk", "Peter Pending")
    expect_counts(page, 3, 2, 1)
    expect(row(page, "Peter Pending")).to_contain_text("✘ Disabled")


def test_action_refused_by_the_server_and_outside_changes(page: Page, api: Api) -> None:
    page.clock.install()
    open_staff_page(page)
    # Someone else deactivates Brian Biller while the page is open.
    act(api, "staffDeactivate", "bbiller")
    row(page, "Brian Biller").get_by_role("button", name="Deactivate Brian Biller").click()
    page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()
    page.clock.fast_forward(5_000)
    expect(page.get_by_role("alert")).to_contain_text("inactive")
    # Sent, so too late to undo: its line and Undo are gone.
    expect(page.get_by_role("status")).to_have_text("")
    expect_names(page, "Alex Admin", "Camille Nurse")  # the list as the server has it
    try:
        # The drawer announces its changes with `staff-changed`: the page refreshes.
        page.evaluate("window.dispatchEvent(new CustomEvent('staff-changed', {detail: {}}))")
        expect_names(page, "Alex Admin", "Camille Nurse")
        expect_counts(page, 2, 2, 2)
        expect(page.get_by_role("alert")).to_have_text("")
    finally:
        act(api, "staffReactivate", "bbiller")
    page.evaluate("window.dispatchEvent(new CustomEvent('staff-changed', {detail: {}}))")
    expect_names(page, "Alex Admin", "Brian Biller", "Camille Nurse")
    expect_counts(page, 3, 2, 1)


def test_keyboard_reaches_deactivate_and_escape_goes_back(page: Page) -> None:
    open_staff_page(page)
    expect_names(page, "Alex Admin", "Brian Biller", "Camille Nurse")
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused.startswith("Deactivate"):
            break
    deactivate = page.get_by_role("button", name="Deactivate Brian Biller")
    expect(deactivate).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Deactivate Brian Biller?")
    expect(dialog.get_by_role("button", name="Keep active")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Deactivate")).to_be_focused()
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Keep active")).to_be_focused()
    screenshot(page, "staff-page-confirm")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(deactivate).to_be_focused()
    expect_counts(page, 3, 2, 1)


def test_add_staff_and_view_open_the_drawer(page: Page) -> None:
    if not DRAWER_MODULE.exists():
        pytest.skip("the staff drawer (staff-drawer.js) is not there yet")
    open_staff_page(page)
    page.get_by_role("button", name="Add Staff").click()
    expect(page.locator("staff-drawer")).to_be_attached()
    page.keyboard.press("Escape")
    row(page, "Camille Nurse").get_by_role("button", name="View Camille Nurse").click()
    expect(page.locator("staff-drawer")).to_be_attached()
    expect(page.get_by_role("alert").filter(has_text="could not be opened")).to_have_count(0)


def test_layout_at_1280_and_390(page: Page) -> None:
    open_staff_page(page)
    expect_names(page, "Alex Admin", "Brian Biller", "Camille Nurse")
    page.mouse.move(0, 0)  # no row hover in the picture
    screenshot(page, "staff-page-1280")

    # A card per person on a phone: nothing scrolls sideways, every button is in reach.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    camille = row(page, "Camille Nurse")
    camille.scroll_into_view_if_needed()
    expect(camille.get_by_role("button", name="Deactivate")).to_be_in_viewport(ratio=1)
    expect(camille.get_by_role("rowheader")).to_be_in_viewport()
    screenshot(page, "staff-page-390")


# ---- the endless list, on an app of its own (it adds 30 staff) --------------------------

EXTRA_STAFF = 30


@pytest.fixture(scope="module")
def crowded_server(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("crowded")) as base:
        client = Api(base)
        try:
            for number in range(1, EXTRA_STAFF + 1):
                client.create_staff(f"scroll{number:02d}", lastName=f"Tester {number:02d}")
        finally:
            client.close()
        yield base


def sign_in_at(page: Page, base: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(DEMO_ADMIN_USERNAME)
    page.get_by_label("Password").fill(DEMO_ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(re.compile(r"^Showing \d+ of \d+ records$"))).to_be_visible()


def test_endless_list_loads_as_you_scroll(page: Page, crowded_server: str) -> None:
    sign_in_at(page, crowded_server)
    total = 2 + EXTRA_STAFF
    tab(page, "Pending").click()
    expect(page.get_by_text(f"Showing 25 of {total} records")).to_be_visible()
    requests = staff_requests(page)
    expect(page.get_by_text("You have reached the end.")).to_be_hidden()
    expect(rows(page)).to_have_count(25)

    page.mouse.wheel(0, 20_000)
    expect(page.get_by_text(f"Showing {total} of {total} records")).to_be_visible()
    expect(page.get_by_text("You have reached the end.")).to_be_visible()
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    expect(rows(page)).to_have_count(total)
    expect(rows(page).last.get_by_role("rowheader")).to_contain_text("Scroll30 Tester 30")
    assert len(requests) == 1 and requests[0]["after"], requests

    # Changing the filters starts the list again from the top.
    page.get_by_label("Search by staff name, username").fill("scroll1")
    expect(page.get_by_text("Showing 10 of 10 records")).to_be_visible()
    expect(page.get_by_text("You have reached the end.")).to_be_visible()


def test_load_more_button_without_scrolling(page: Page, crowded_server: str) -> None:
    # Without IntersectionObserver, keyboard users still get every row from the button.
    page.add_init_script(
        "window.IntersectionObserver = class { observe() {} unobserve() {} disconnect() {} };"
    )
    sign_in_at(page, crowded_server)
    tab(page, "Pending").click()
    expect(page.get_by_text("Showing 25 of 32 records")).to_be_visible()
    more = page.get_by_role("button", name="Load more")
    more.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Showing 32 of 32 records")).to_be_visible()
    expect(more).to_be_hidden()
    expect(page.get_by_role("button", name="Resend Scroll24 Tester 24")).to_be_focused()
    expect(page.get_by_text("You have reached the end.")).to_be_visible()
