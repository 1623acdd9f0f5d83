"""The Roles & Permissions page: read-only system roles, practice roles created, renamed,
re-permissioned and deleted, and the errors the server gives shown where they belong."""

import uuid
from typing import Any

from playwright.sync_api import Locator, Page, expect

from backend.demo import DEMO_STAFF_PASSWORD
from tests.e2e.api import Api
from tests.e2e.conftest import screenshot, sign_in

ROLES = "query { roles { name permissions } }"


def create_staff_with_role(server: str, role_name: str) -> None:
    username = f"holder{uuid.uuid4().hex[:8]}"
    with Api(server) as api:
        api.create_staff(username, role_name, firstName="Rita", lastName="Roleholder")


def admin_call(server: str, query: str) -> dict[str, Any]:
    with Api(server) as api:
        return api.call(query)


def open_roles(page: Page) -> None:
    page.get_by_role("link", name="Roles & Permissions").click()
    expect(page.get_by_role("heading", name="Roles & Permissions", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="System roles")).to_be_visible()


def role_card(page: Page, name: str) -> Locator:
    return page.locator(".role-card").filter(has=page.get_by_role("heading", name=name, exact=True))


def create_role(page: Page, name: str, permissions: list[str]) -> None:
    form = page.locator("form[data-form=create]")
    form.get_by_label("Role name").fill(name)
    for permission in permissions:
        form.get_by_label(permission, exact=True).check()
    form.get_by_role("button", name="Create role").click()
    expect(page.get_by_role("status")).to_have_text(f"✔ Role “{name}” created.")


def test_system_roles_are_read_only(page: Page) -> None:
    sign_in(page)
    open_roles(page)
    system = page.locator(".system-roles")
    nurse = role_card(page, "Nurse (System)")
    expect(nurse).to_contain_text("System · read-only")
    expect(system.locator(".role-card").first).to_be_visible()
    # No control on any system role.
    expect(system.get_by_role("button")).to_have_count(0)
    admin = role_card(page, "Practice Administrator (System)")
    expect(admin.locator(".permission-list")).to_contain_text("Manage Accounts")
    expect(nurse.locator(".permission-list li")).to_have_text(
        [
            "✔ Scheduling",
            "✔ Charting",
            "✔ Patient Information",
            "✔ Sign Clinical Notes (on behalf of primary provider)",
        ]
    )
    screenshot(page, "roles-page")


def test_create_rename_change_and_delete_a_role(page: Page, server: str) -> None:
    sign_in(page)
    open_roles(page)
    create_role(page, "Biller", ["Billing", "Submit Claims"])
    biller = role_card(page, "Biller")
    expect(biller).to_contain_text("Practice role")
    expect(biller.locator(".permission-list li")).to_have_text(["✔ Billing", "✔ Submit Claims"])
    expect(page.get_by_label("Role name")).to_have_value("")

    # Rename.
    biller.get_by_role("button", name="Edit Biller").click()
    edit = page.locator("form[data-form=edit]")
    expect(edit.get_by_label("Role name")).to_be_focused()
    expect(edit.get_by_label("Billing", exact=True)).to_be_checked()
    expect(edit.get_by_label("Submit Claims")).to_be_checked()
    expect(edit.get_by_label("Reporting")).not_to_be_checked()
    edit.get_by_label("Role name").fill("Billing Clerk")
    edit.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_have_text("✔ Role “Billing Clerk” saved.")
    clerk = role_card(page, "Billing Clerk")
    expect(clerk).to_be_visible()
    expect(role_card(page, "Biller")).to_have_count(0)
    expect(clerk.get_by_role("button", name="Edit Billing Clerk")).to_be_focused()

    # Change the permissions: add Reporting, drop Submit Claims.
    clerk.get_by_role("button", name="Edit Billing Clerk").click()
    edit = page.locator("form[data-form=edit]")
    edit.get_by_label("Reporting").check()
    edit.get_by_label("Submit Claims").uncheck()
    screenshot(page, "roles-page-edit")
    edit.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_have_text("✔ Role “Billing Clerk” saved.")
    expect(clerk.locator(".permission-list li")).to_have_text(["✔ Reporting", "✔ Billing"])
    roles = admin_call(server, ROLES)["roles"]
    saved = next(role for role in roles if role["name"] == "Billing Clerk")
    assert saved["permissions"] == ["REPORTING", "BILLING"]

    # Escape leaves the edit form without saving, after asking whether to discard a change.
    clerk.get_by_role("button", name="Edit Billing Clerk").click()
    edit = page.locator("form[data-form=edit]")
    edit.get_by_label("Role name").fill("Not saved")
    page.keyboard.press("Escape")
    discard = page.get_by_role("dialog", name="Discard your changes?")
    discard.get_by_role("button", name="Keep editing").click()
    expect(discard).to_have_count(0)
    expect(edit.get_by_label("Role name")).to_have_value("Not saved")
    expect(edit.get_by_label("Role name")).to_be_focused()
    page.keyboard.press("Escape")
    discard.get_by_role("button", name="Discard").click()
    expect(page.locator("form[data-form=edit]")).to_have_count(0)
    expect(clerk).to_be_visible()
    expect(clerk.get_by_role("button", name="Edit Billing Clerk")).to_be_focused()
    # Nothing changed: Escape leaves at once.
    clerk.get_by_role("button", name="Edit Billing Clerk").click()
    page.keyboard.press("Escape")
    expect(page.locator("form[data-form=edit]")).to_have_count(0)
    expect(discard).to_have_count(0)
    assert admin_call(server, ROLES)["roles"] == roles

    # A duplicate name (any case) is refused next to the name field.
    form = page.locator("form[data-form=create]")
    form.get_by_label("Role name").fill("billing clerk")
    form.get_by_label("Charting").check()
    form.get_by_role("button", name="Create role").click()
    name_field = form.get_by_label("Role name")
    expect(page.locator("#role-create-name-error")).to_have_text(
        "A role with this name already exists."
    )
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(name_field).to_have_attribute("aria-describedby", "role-create-name-error")
    expect(name_field).to_be_focused()
    # What was typed is kept.
    expect(name_field).to_have_value("billing clerk")
    expect(form.get_by_label("Charting")).to_be_checked()
    screenshot(page, "roles-page-taken")

    # Renaming to a system role's name is refused in the edit form the same way.
    clerk.get_by_role("button", name="Edit Billing Clerk").click()
    edit = page.locator("form[data-form=edit]")
    edit.get_by_label("Role name").fill("Nurse (System)")
    edit.get_by_role("button", name="Save changes").click()
    expect(page.locator("#role-edit-name-error")).to_have_text(
        "A role with this name already exists."
    )
    edit.get_by_role("button", name="Cancel").click()

    # Delete: the confirmation can be cancelled with Escape, then confirmed.
    delete = clerk.get_by_role("button", name="Delete Billing Clerk")
    delete.click()
    dialog = page.get_by_role("dialog", name="Delete role “Billing Clerk”?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Delete role")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(delete).to_be_focused()
    expect(clerk).to_be_visible()

    delete.click()
    page.get_by_role("dialog").get_by_role("button", name="Delete role").click()
    expect(page.get_by_role("status")).to_have_text("✔ Role “Billing Clerk” deleted.")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(role_card(page, "Billing Clerk")).to_have_count(0)
    roles = admin_call(server, ROLES)["roles"]
    assert "Billing Clerk" not in {role["name"] for role in roles}


def test_a_role_in_use_cannot_be_deleted(page: Page, server: str) -> None:
    sign_in(page)
    open_roles(page)
    create_role(page, "Front Office", ["Scheduling", "Patient Information"])
    create_staff_with_role(server, "Front Office")

    role_card(page, "Front Office").get_by_role("button", name="Delete Front Office").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Delete role").click()
    expect(dialog.get_by_role("alert")).to_contain_text("1 staff member still has this role")
    expect(dialog.get_by_role("alert")).to_contain_text("Give them another role first.")
    expect(dialog.get_by_role("button", name="Delete role")).to_have_count(0)
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    screenshot(page, "roles-page-in-use")
    dialog.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(role_card(page, "Front Office")).to_be_visible()
    roles = admin_call(server, ROLES)["roles"]
    assert "Front Office" in {role["name"] for role in roles}


def test_an_empty_name_is_refused_on_the_field(page: Page) -> None:
    sign_in(page)
    open_roles(page)
    form = page.locator("form[data-form=create]")
    form.get_by_role("button", name="Create role").click()
    expect(page.locator("#role-create-name-error")).to_have_text("Enter a name.")
    expect(form.get_by_label("Role name")).to_be_focused()


def test_without_manage_accounts_the_roles_are_read_only(page: Page) -> None:
    sign_in(page, "cnurse", DEMO_STAFF_PASSWORD)
    page.goto("/roles")
    expect(page.get_by_role("heading", name="System roles")).to_be_visible()
    expect(page.get_by_text("changing them needs the Manage Accounts permission")).to_be_visible()
    expect(page.get_by_role("button", name="Create role")).to_have_count(0)
    expect(page.locator(".roles-page").get_by_role("button")).to_have_count(0)
    expect(role_card(page, "Nurse (System)")).to_be_visible()


def test_the_page_fits_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page)
    page.goto("/roles")
    expect(page.get_by_role("heading", name="System roles")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot(page, "roles-page-390")
