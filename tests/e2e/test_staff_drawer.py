"""The Staff Information drawer: add, validation errors on their fields, keyboard use,
view and edit."""

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests.e2e.conftest import screenshot, sign_in
from tests.pins import OTHER_PIN, STAFF_PIN

TAKEN_EMAIL = "cnurse@demo-family-practice.example"
PASSWORD = "Sturdy-Harbor-Lantern-58"
OPEN_CREATE = (
    "import('/src/components/staff-drawer/staff-drawer.js')"
    ".then(m => { m.registerStaffDrawer(); return m.openStaffDrawer({mode: 'create'}); })"
)
OPEN_VIEW = (
    "id => import('/src/components/staff-drawer/staff-drawer.js').then(m => {"
    " m.registerStaffDrawer(); return m.openStaffDrawer({mode: 'view', staffId: id}); })"
)
STAFF_BY_SEARCH = """
query($search: String!) { staffMembers(filter: {search: $search}) {
  edges { node { id username email status firstName lastName cellPhone } } } }
"""


# ---- helpers ---------------------------------------------------------------------------


def api(server: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Ask the GraphQL API as an API client would (bearer token), to check the outcome."""
    with httpx.Client(base_url=server, timeout=10) as client:
        login = client.post(
            "/graphql",
            json={
                "query": "mutation($input: LoginInput!) { login(input: $input) { token } }",
                "variables": {
                    "input": {"username": DEMO_ADMIN_USERNAME, "password": DEMO_ADMIN_PASSWORD}
                },
            },
        ).json()
        token = login["data"]["login"]["token"]
        body = client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {token}"},
        ).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def find_staff(server: str, search: str) -> dict[str, Any] | None:
    edges = api(server, STAFF_BY_SEARCH, {"search": search})["staffMembers"]["edges"]
    return next((edge["node"] for edge in edges if edge["node"]["username"] == search), None)


def drawer(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Staff Information")


def page_button(page: Page, name: str) -> Locator | None:
    """A button of the Staff page, or None while the page does not have it."""
    button = page.get_by_role("main").get_by_role("button", name=name, exact=True).first
    try:
        button.wait_for(timeout=3_000)
    except PlaywrightTimeoutError:
        return None
    return button


def open_add_staff(page: Page) -> None:
    """The Staff page's Add Staff button when it exists, else the drawer module directly."""
    add = page_button(page, "Add Staff")
    if add is None:
        page.evaluate(OPEN_CREATE)
    else:
        add.click()
    expect(drawer(page)).to_be_visible()
    expect(field(page, "First Name")).to_be_focused()


def open_view(page: Page, staff_id: str, full_name: str) -> None:
    """The Staff page's View action when it exists, else the drawer module directly."""
    view = page_button(page, f"View {full_name}")
    if view is None:
        page.evaluate(OPEN_VIEW, staff_id)
    else:
        view.click()
    expect(drawer(page).get_by_role("heading", name=full_name)).to_be_focused()


def field(page: Page, label: str) -> Locator:
    """The drawer's field with this label; a required field's label ends with "*"."""
    return drawer(page).get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def fill_valid_form(page: Page, username: str, email: str) -> None:
    field(page, "First Name").fill("Tessa")
    field(page, "Last Name").fill("Tester")
    field(page, "Primary Provider").select_option(label="Hannah Provider")
    field(page, "Role").select_option(label="Nurse (System)")
    field(page, "Care Team Role").select_option(label="Registered nurse (occupation)")
    field(page, "Type").select_option(label="NCSBN ID")
    field(page, "Number").fill("12345")
    field(page, "Username").fill(username)
    field(page, "Email").fill(email)
    field(page, "Password").fill(PASSWORD)
    field(page, "Confirm Password").fill(PASSWORD)
    field(page, "Cell Phone").fill("(212) 555-0177")
    field(page, "Home Phone").fill("212 555 0178")
    field(page, "App Unlock PIN").fill(STAFF_PIN)
    field(page, "Send daily billing report").check()


def watch_staff_changed(page: Page) -> None:
    page.evaluate(
        "window.__staffChanged = [];"
        "window.addEventListener('staff-changed', e => window.__staffChanged.push(e.detail))"
    )


# ---- tests -----------------------------------------------------------------------------


def test_every_field_is_there_and_labelled(page: Page) -> None:
    sign_in(page)
    open_add_staff(page)
    panel = drawer(page)
    expect(panel).to_have_attribute("aria-modal", "true")
    for label in (
        "First Name",
        "Last Name",
        "Primary Provider",
        "Role",
        "Username",
        "Email",
        "Password",
        "Confirm Password",
        "App Unlock PIN",
    ):
        expect(field(page, label)).to_have_attribute("aria-required", "true")
    for label in ("Care Team Role", "Type", "Number", "Cell Phone", "Home Phone"):
        expect(field(page, label)).not_to_have_attribute("aria-required", "true")
    expect(field(page, "App Unlock PIN")).to_have_attribute("inputmode", "numeric")
    expect(field(page, "Enable email update")).to_be_checked()
    expect(field(page, "Restrict Offices")).not_to_be_checked()
    expect(field(page, "Send daily billing report")).not_to_be_checked()
    expect(field(page, "Type")).to_have_value("")
    expect(field(page, "Number")).to_be_disabled()
    expect(panel).to_contain_text(
        "The activation link emailed to the staff member is valid for 3 days."
    )
    expect(panel.get_by_role("button", name="Add Staff")).to_be_visible()
    # The office choice appears only with Restrict Offices.
    offices = panel.get_by_role("group", name="Offices")
    expect(offices).to_be_hidden()
    field(page, "Restrict Offices").check()
    expect(offices).to_be_visible()
    expect(offices.get_by_label("Main Street Office")).to_be_visible()
    expect(offices.get_by_label("Riverside Office")).to_be_visible()
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()


def test_server_error_shown_on_its_field_and_typed_values_kept(page: Page, server: str) -> None:
    sign_in(page)
    open_add_staff(page)
    watch_staff_changed(page)
    fill_valid_form(page, "ttester", TAKEN_EMAIL)
    drawer(page).get_by_role("button", name="Add Staff").click()

    email = field(page, "Email")
    message = "This email is already used by another account."
    expect(drawer(page).locator("#sd-email-error")).to_have_text(message)
    expect(email).to_have_attribute("aria-invalid", "")
    expect(email).to_have_attribute("aria-describedby", re.compile(r"\bsd-email-error\b"))
    expect(email).to_be_focused()
    expect(drawer(page).locator(".sd-summary")).to_contain_text("There is 1 problem")
    screenshot(page, "staff-drawer-validation-error")

    # Everything typed is still there.
    expect(field(page, "First Name")).to_have_value("Tessa")
    expect(field(page, "Last Name")).to_have_value("Tester")
    expect(field(page, "Primary Provider").locator("option:checked")).to_have_text(
        "Hannah Provider"
    )
    expect(field(page, "Role").locator("option:checked")).to_have_text("Nurse (System)")
    expect(field(page, "Care Team Role").locator("option:checked")).to_have_text(
        "Registered nurse (occupation)"
    )
    expect(field(page, "Type")).to_have_value("NCSBN_ID")
    expect(field(page, "Number")).to_have_value("12345")
    expect(field(page, "Username")).to_have_value("ttester")
    expect(email).to_have_value(TAKEN_EMAIL)
    expect(field(page, "Password")).to_have_value(PASSWORD)
    expect(field(page, "Confirm Password")).to_have_value(PASSWORD)
    expect(field(page, "Cell Phone")).to_have_value("(212) 555-0177")
    expect(field(page, "Home Phone")).to_have_value("212 555 0178")
    expect(field(page, "App Unlock PIN")).to_have_value(STAFF_PIN)
    expect(field(page, "Send daily billing report")).to_be_checked()
    expect(field(page, "First Name")).not_to_have_attribute("aria-invalid", "")
    assert find_staff(server, "ttester") is None

    email.fill("tessa.tester@demo-family-practice.example")
    drawer(page).get_by_role("button", name="Add Staff").click()
    expect(drawer(page)).to_be_hidden()

    created = find_staff(server, "ttester")
    assert created is not None
    assert created["status"] == "PENDING"
    assert created["email"] == "tessa.tester@demo-family-practice.example"
    assert created["cellPhone"] == "212-555-0177"
    changed = page.evaluate("window.__staffChanged")
    assert changed == [
        {"id": created["id"], "status": "PENDING", "fullName": "Tessa Tester", "created": True}
    ]
    if page.get_by_role("tab", name=re.compile(r"^Pending")).count():
        page.get_by_role("tab", name=re.compile(r"^Pending")).click()
        expect(page.get_by_text("ttester", exact=True)).to_be_visible()


def test_restrict_offices_needs_an_office(page: Page, server: str) -> None:
    sign_in(page)
    open_add_staff(page)
    fill_valid_form(page, "ooffice", "ooffice@demo-family-practice.example")
    field(page, "Restrict Offices").check()
    drawer(page).get_by_role("button", name="Add Staff").click()

    offices = drawer(page).get_by_role("group", name="Offices")
    expect(offices.locator(".field-error")).to_have_text(
        "Choose at least one office when Restrict Offices is on."
    )
    main_street = offices.get_by_label("Main Street Office")
    expect(main_street).to_have_attribute("aria-invalid", "")
    expect(main_street).to_be_focused()
    assert find_staff(server, "ooffice") is None

    main_street.check()
    drawer(page).get_by_role("button", name="Add Staff").click()
    expect(drawer(page)).to_be_hidden()
    assert find_staff(server, "ooffice") is not None


def test_client_checks_required_fields_and_password_confirmation(page: Page) -> None:
    sign_in(page)
    open_add_staff(page)
    field(page, "Password").fill(PASSWORD)
    field(page, "Confirm Password").fill(PASSWORD + "x")
    drawer(page).get_by_role("button", name="Add Staff").click()
    expect(field(page, "First Name")).to_be_focused()
    expect(field(page, "First Name")).to_have_attribute("aria-invalid", "")
    expect(drawer(page).locator("#sd-passwordConfirmation-error")).to_have_text(
        "The two passwords do not match. Type the same password in both fields."
    )
    summary = drawer(page).locator(".sd-summary")
    expect(summary).to_contain_text("There are 8 problems")
    # The summary links to each field.
    summary.get_by_role("button", name="Username").click()
    expect(field(page, "Username")).to_be_focused()
    expect(field(page, "Password")).to_have_value(PASSWORD)


def test_keyboard_only_adds_a_staff_member(page: Page, server: str) -> None:
    sign_in(page)
    add = page_button(page, "Add Staff")
    if add is None:
        opener = page.get_by_role("button", name="Sign out", exact=True)
        opener.focus()
        page.evaluate(OPEN_CREATE)
    else:
        opener = add
        opener.focus()
        page.keyboard.press("Enter")
    expect(field(page, "First Name")).to_be_focused()

    keys = page.keyboard
    keys.type("Kim")
    keys.press("Tab")
    keys.type("Keyboard")
    keys.press("Tab")
    expect(field(page, "Primary Provider")).to_be_focused()
    keys.press("ArrowDown")  # the first (only) provider
    keys.press("Tab")
    expect(field(page, "Role")).to_be_focused()
    keys.type("Staff")
    keys.press("Tab")
    keys.press("Tab")  # care team role: none
    expect(field(page, "Type")).to_be_focused()
    keys.press("Tab")  # identifier: none; the number field is skipped while disabled
    expect(field(page, "Username")).to_be_focused()
    keys.type("kkeyboard")
    keys.press("Tab")
    keys.type("kkeyboard@demo-family-practice.example")
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Tab")
    keys.type("2125550190")
    keys.press("Tab")
    keys.press("Tab")  # home phone: none
    expect(field(page, "App Unlock PIN")).to_be_focused()
    keys.type(OTHER_PIN)
    keys.press("Tab")
    expect(field(page, "Enable email update")).to_be_focused()
    keys.press("Tab")
    keys.press("Space")  # Restrict Offices on
    expect(field(page, "Restrict Offices")).to_be_checked()
    keys.press("Tab")
    expect(drawer(page).get_by_label("Riverside Office")).to_be_visible()
    keys.press("Tab")
    keys.press("Space")  # Riverside Office
    keys.press("Tab")
    keys.press("Space")  # Send daily billing report
    expect(field(page, "Send daily billing report")).to_be_checked()
    keys.press("Tab")
    expect(drawer(page).get_by_role("button", name="Add Staff")).to_be_focused()
    keys.press("Enter")

    expect(drawer(page)).to_be_hidden()
    expect(opener).to_be_focused()
    created = find_staff(server, "kkeyboard")
    assert created is not None
    assert created["status"] == "PENDING"
    offices = api(
        server,
        "query($id: ID!) { staffMember(id: $id) { role { name } restrictOffices "
        "offices { name } dailyBillingReport emailUpdateEnabled } }",
        {"id": created["id"]},
    )["staffMember"]
    assert offices == {
        "role": {"name": "Staff (System)"},
        "restrictOffices": True,
        "offices": [{"name": "Riverside Office"}],
        "dailyBillingReport": True,
        "emailUpdateEnabled": True,
    }


def test_focus_stays_in_the_drawer_and_escape_returns_it(page: Page) -> None:
    sign_in(page)
    opener = page.get_by_role("button", name="Sign out", exact=True)
    opener.focus()
    page.evaluate(OPEN_CREATE)
    expect(field(page, "First Name")).to_be_focused()
    inside = "() => Boolean(document.activeElement.closest('staff-drawer [role=dialog]'))"
    seen = set()
    for _ in range(40):  # more than the drawer's focusable elements: it must wrap
        page.keyboard.press("Tab")
        assert page.evaluate(inside), page.evaluate("document.activeElement.outerHTML")
        seen.add(page.evaluate("document.activeElement.id || document.activeElement.textContent"))
    assert "sd-firstName" in seen and "sd-dailyBillingReport" in seen
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(inside)
    # The page behind cannot be reached.
    assert page.evaluate("document.querySelector('app-root').inert") is True
    page.keyboard.press("Escape")
    expect(drawer(page)).to_be_hidden()
    expect(opener).to_be_focused()
    assert page.evaluate("document.querySelector('app-root').inert") is False


def test_view_then_edit_the_cell_phone(page: Page, server: str) -> None:
    nurse = find_staff(server, "cnurse")
    assert nurse is not None
    sign_in(page)
    watch_staff_changed(page)
    open_view(page, nurse["id"], "Camille Nurse")
    panel = drawer(page)
    details = panel.locator(".sd-details")
    for text in (
        "cnurse",
        TAKEN_EMAIL,
        "Nurse (System)",
        "Hannah Provider",
        "✘ Disabled",
        "Active",
    ):
        expect(details.get_by_text(text, exact=True).first).to_be_visible()
    expect(panel.locator(".sd-row", has_text="Added")).to_contain_text(
        re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}")
    )

    panel.get_by_role("button", name="Edit").click()
    expect(field(page, "First Name")).to_have_value("Camille")
    expect(field(page, "Email")).to_have_value(TAKEN_EMAIL)
    expect(panel.get_by_label("Password", exact=True)).to_have_count(0)
    expect(panel.get_by_label("App Unlock PIN")).to_have_count(0)
    field(page, "Cell Phone").fill("(212) 555 7788")
    panel.get_by_role("button", name="Save changes").click()

    expect(panel.get_by_role("status")).to_have_text("✔ Changes saved.")
    expect(panel.locator(".sd-row", has_text="Cell Phone")).to_contain_text("212-555-7788")
    expect(panel.get_by_role("button", name="Edit")).to_be_focused()
    assert page.evaluate("window.__staffChanged") == [{"id": nurse["id"], "status": "ACTIVE"}]
    saved = find_staff(server, "cnurse")
    assert saved is not None and saved["cellPhone"] == "212-555-7788"


def test_edit_shows_server_errors_on_the_field(page: Page, server: str) -> None:
    biller = find_staff(server, "bbiller")
    assert biller is not None
    sign_in(page)
    open_view(page, biller["id"], "Brian Biller")
    panel = drawer(page)
    panel.get_by_role("button", name="Edit").click()
    field(page, "Email").fill(TAKEN_EMAIL)
    field(page, "Last Name").fill("Billington")
    panel.get_by_role("button", name="Save changes").click()
    expect(panel.locator("#sd-email-error")).to_have_text(
        "This email is already used by another account."
    )
    expect(field(page, "Email")).to_be_focused()
    expect(field(page, "Last Name")).to_have_value("Billington")
    panel.get_by_role("button", name="Cancel").click()
    expect(panel.locator(".sd-row", has_text="Last Name")).to_contain_text("Biller")


@pytest.mark.parametrize("width", [390])
def test_full_width_on_a_phone(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    page.emulate_media(reduced_motion="reduce")  # no slide-in: measure the final place
    sign_in(page)
    open_add_staff(page)
    box = drawer(page).bounding_box()
    assert box is not None
    assert box["x"] == 0 and round(box["width"]) == width
    # Fields stack in one column and fit the screen.
    first, last = field(page, "First Name").bounding_box(), field(page, "Last Name").bounding_box()
    assert first is not None and last is not None
    assert last["y"] > first["y"] and first["x"] + first["width"] <= width
    screenshot(page, "staff-drawer-390")
