"""The newcomer's path in the browser: the emailed link from the development mailbox,
the activation form, and the messages for a used link and a missing token."""

import re
import uuid
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.api import GIVEN_PASSWORD, Api, wait_for_email
from tests.e2e.conftest import screenshot, sign_in

OWN_PASSWORD = "Quiet-Harbour-Lantern-58"
LINK_UNUSABLE = (
    "This activation link is invalid, already used or expired. Ask your administrator to resend it."
)

LOGIN = """mutation($input: LoginInput!) {
  login(input: $input) { token userErrors { code message } } }"""
STAFF_STATUS = "query($id: ID!) { staffMember(id: $id) { status activatedAt } }"


def create_staff(
    server: str, username: str, role: str = "Nurse (System)", first_name: str = "Nora"
) -> str:
    """A pending staff member, as the Add Staff drawer would create them; returns the ID."""
    with Api(server) as api:
        staff = api.create_staff(username, role, firstName=first_name, lastName="Newcomer")
    staff_id: str = staff["id"]
    return staff_id


def staff_status(server: str, staff_id: str) -> dict[str, Any]:
    with Api(server) as api:
        member: dict[str, Any] = api.call(STAFF_STATUS, {"id": staff_id})["staffMember"]
    return member


def sign_in_errors(server: str, username: str, password: str) -> list[dict[str, Any]]:
    """The userErrors of a sign-in over the API: empty when the password works."""
    login = httpx.post(
        f"{server}/graphql",
        json={"query": LOGIN, "variables": {"input": {"username": username, "password": password}}},
        timeout=10,
    ).json()["data"]["login"]
    errors: list[dict[str, Any]] = login["userErrors"]
    return errors


def activation_path(message: dict[str, Any]) -> str:
    link = next(link for link in message["links"] if "/activate#token=" in link)
    return "/activate#" + str(link).split("#", 1)[1]


def fill_activation(page: Page, username: str, given: str, own: str = OWN_PASSWORD) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password from your administrator").fill(given)
    page.get_by_label("New password", exact=True).fill(own)
    page.get_by_label("Confirm new password").fill(own)


def test_newcomer_activates_from_the_mailbox(page: Page, server: str) -> None:
    username = f"nora{uuid.uuid4().hex[:8]}"
    email = f"{username}@example.com"
    sign_in(page)
    staff_id = create_staff(server, username)
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    wait_for_email(server, email)

    # Signed out, the Mailbox is one link away.
    page.get_by_role("link", name="Mailbox").click()
    expect(page.get_by_role("heading", name="Development mailbox")).to_be_visible()
    item = page.locator(".mailbox-item", has_text=email)
    expect(item).to_have_count(1)
    item.locator("summary").click()
    expect(item.locator(".mail-text")).to_contain_text(f"your username, {username}")
    screenshot(page, "mailbox-page")
    item.get_by_role("link", name="Open activation link").click()

    expect(page).to_have_url(re.compile(r"/activate#token="))
    expect(page.get_by_role("heading", name="Activate your account")).to_be_visible()
    expect(
        page.get_by_text("Choose a password of your own: at least 12 characters")
    ).to_be_visible()
    given_field = page.get_by_label("Password from your administrator")
    expect(page.get_by_label("Username")).to_have_attribute("autocomplete", "username")
    expect(given_field).to_have_attribute("autocomplete", "current-password")
    for label in ("New password", "Confirm new password"):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("autocomplete", "new-password")

    # The wrong given password first: refused, the form stays.
    fill_activation(page, username, "Not-The-Given-Password-1")
    screenshot(page, "activation-page")
    page.get_by_role("button", name="Activate account").click()
    expect(page.get_by_role("alert")).to_have_text("The username or password is incorrect.")
    expect(given_field).to_be_focused()
    assert staff_status(server, staff_id)["status"] == "PENDING"

    fill_activation(page, username, GIVEN_PASSWORD)
    page.get_by_role("button", name="Activate account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is active.")
    expect(page.get_by_role("heading", name="Welcome, Nora Newcomer")).to_be_visible()
    screenshot(page, "activation-success")
    # A nurse has no Staff page to go to; the header shows who is signed in.
    expect(page.get_by_role("button", name="Continue to Staff")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    # The used token is gone from the address bar.
    assert "token" not in page.url

    member = staff_status(server, staff_id)
    assert member["status"] == "ACTIVE"
    assert member["activatedAt"]

    # The new password is the one that works now.
    assert sign_in_errors(server, username, OWN_PASSWORD) == []

    # The same link again: a clear message, and no form to retry with.
    page.get_by_role("link", name="Mailbox").click()
    item = page.locator(".mailbox-item", has_text=email)
    item.locator("summary").click()
    item.get_by_role("link", name="Open activation link").click()
    expect(page.get_by_role("alert")).to_have_text(LINK_UNUSABLE)
    expect(page.get_by_role("button", name="Activate account")).to_have_count(0)
    screenshot(page, "activation-link-used")


def test_a_new_manager_continues_to_the_staff_page(page: Page, server: str) -> None:
    username = f"mgr{uuid.uuid4().hex[:8]}"
    create_staff(server, username, role="Practice Administrator (System)")
    path = activation_path(wait_for_email(server, f"{username}@example.com"))
    page.goto(path)
    fill_activation(page, username, GIVEN_PASSWORD)
    page.get_by_label("Confirm new password").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your account is active.")
    page.get_by_role("button", name="Continue to Staff").click()
    expect(page).to_have_url(re.compile(r"/staff$"))


def test_field_errors_appear_next_to_the_fields(page: Page, server: str) -> None:
    username = f"fld{uuid.uuid4().hex[:8]}"
    create_staff(server, username)
    page.goto(activation_path(wait_for_email(server, f"{username}@example.com")))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password from your administrator").fill(GIVEN_PASSWORD)
    page.get_by_label("New password", exact=True).fill("Short-1")
    page.get_by_label("Confirm new password").fill("Short-1")
    page.get_by_role("button", name="Activate account").click()
    new_password = page.get_by_label("New password", exact=True)
    expect(page.locator("#activate-newPassword-error")).to_have_text(
        "Use at least 12 characters for the password."
    )
    expect(new_password).to_have_attribute("aria-invalid", "")
    expect(new_password).to_have_attribute(
        "aria-describedby", "activate-newPassword-error activate-password-hint"
    )
    expect(new_password).to_be_focused()

    page.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
    page.get_by_label("Confirm new password").fill(OWN_PASSWORD + "x")
    page.get_by_role("button", name="Activate account").click()
    expect(page.locator("#activate-newPasswordConfirmation-error")).to_contain_text("do not match")
    expect(page.locator("#activate-newPassword-error")).to_have_count(0)


def test_a_page_without_a_token_says_to_use_the_emailed_link(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/activate")
    expect(page.get_by_role("heading", name="Activate your account")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "This page needs the activation link from your email."
    )
    expect(page.get_by_role("button", name="Activate account")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "activation-no-token-390")


def test_an_unknown_token_says_to_ask_for_a_new_link(page: Page) -> None:
    page.goto("/activate#token=not-a-real-token")
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(LINK_UNUSABLE)
    expect(page.get_by_role("button", name="Activate account")).to_have_count(0)


def test_the_token_is_sent_only_inside_graphql_operations(page: Page, server: str) -> None:
    username = f"tok{uuid.uuid4().hex[:8]}"
    create_staff(server, username)
    path = activation_path(wait_for_email(server, f"{username}@example.com"))
    token = path.split("#token=", 1)[1]
    seen: list[str] = []
    page.on("request", lambda request: seen.append(f"{request.url} {request.post_data or ''}"))
    page.goto(path)
    expect(page.get_by_role("button", name="Activate account")).to_be_visible()
    # Opening the link asks which form it needs, in the body of a POST: never in a URL.
    [opened] = [entry for entry in seen if token in entry]
    assert "/graphql " in opened and "activationLink" in opened and token not in opened.split()[0]
    fill_activation(page, username, GIVEN_PASSWORD)
    page.get_by_role("button", name="Activate account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is active.")
    carrying = [entry for entry in seen if token in entry]
    assert len(carrying) == 2 and "accountActivate" in carrying[1], carrying
    assert all(token not in entry.split()[0] for entry in carrying)


SCIM_CLIENT = """mutation($i: ApiClientCreateInput!) { apiClientCreate(input: $i) {
  secret userErrors { message } } }"""
SCIM_DEFAULTS = """mutation($i: PracticeSetScimDefaultsInput!) {
  practiceSetScimDefaults(input: $i) { userErrors { message } } }"""
APP_PIN = "4817"


def provision_over_scim(server: str, username: str) -> str:
    """A person created as Okta creates them: no password, no PIN. Returns the SCIM id."""
    with Api(server) as api:
        refs = api.call("{ roles { id name } providers { id } }")
        nurse = next(r["id"] for r in refs["roles"] if r["name"] == "Nurse (System)")
        defaults = {"roleId": nurse, "primaryProviderId": refs["providers"][0]["id"]}
        assert api.call(SCIM_DEFAULTS, {"i": defaults})["practiceSetScimDefaults"] == {
            "userErrors": []
        }
        created = api.call(SCIM_CLIENT, {"i": {"name": f"Okta {username}", "scopes": ["SCIM"]}})
        secret = created["apiClientCreate"]["secret"]
    user = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "name": {"givenName": "Robin", "familyName": "Provisioned"},
        "emails": [{"value": f"{username}@example.com", "type": "work", "primary": True}],
        "active": True,
    }
    answer = httpx.post(
        f"{server}/scim/v2/Users",
        json=user,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/scim+json"},
        timeout=15,
    )
    assert answer.status_code == 201, answer.text
    scim_id: str = answer.json()["id"]
    return scim_id


def test_a_person_provisioned_over_scim_chooses_password_and_pin(page: Page, server: str) -> None:
    username = f"rob{uuid.uuid4().hex[:8]}"
    provision_over_scim(server, username)
    page.goto(activation_path(wait_for_email(server, f"{username}@example.com")))

    expect(page.get_by_role("heading", name="Activate your account")).to_be_visible()
    expect(page.get_by_text("Your practice created your account for you.")).to_be_visible()
    # Nothing was given, so nothing given is asked for; the PIN is chosen here.
    expect(page.get_by_label("Password from your administrator")).to_have_count(0)
    pin = page.get_by_label("Mobile app PIN")
    expect(pin).to_have_attribute("inputmode", "numeric")
    expect(pin).to_have_attribute("autocomplete", "off")
    expect(page.get_by_text("without your username.")).to_be_visible()

    def fill(name: str, chosen_pin: str) -> None:
        page.get_by_label("Username").fill(name)
        page.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
        page.get_by_label("Confirm new password").fill(OWN_PASSWORD)
        pin.fill(chosen_pin)
        page.get_by_role("button", name="Activate account").click()

    # A guessable PIN: refused next to the field, nothing used.
    fill(username, "1234")
    expect(page.locator("#activate-newAppUnlockPin-error")).to_be_visible()
    expect(pin).to_be_focused()
    expect(pin).to_have_attribute(
        "aria-describedby", "activate-newAppUnlockPin-error activate-pin-hint"
    )
    screenshot(page, "activation-provisioned-pin-error")
    # Another username than the link's: said plainly, focus on the username.
    fill("someone-else", APP_PIN)
    expect(page.get_by_role("alert")).to_have_text(
        "This is not the username of this activation link: use the one in your email."
    )
    expect(page.get_by_label("Username")).to_be_focused()

    fill(username, APP_PIN)
    expect(page.get_by_role("status")).to_contain_text("Your account is active.")
    expect(page.get_by_role("heading", name="Welcome, Robin Provisioned")).to_be_visible()
    assert "token" not in page.url
    assert sign_in_errors(server, username, OWN_PASSWORD) == []


def test_a_used_link_says_so_before_anything_is_typed(page: Page, server: str) -> None:
    username = f"usd{uuid.uuid4().hex[:8]}"
    create_staff(server, username)
    path = activation_path(wait_for_email(server, f"{username}@example.com"))
    with Api(server) as api:
        api.activate(username, OWN_PASSWORD)
    page.goto(path)
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(LINK_UNUSABLE)
    expect(page.get_by_label("Username")).to_have_count(0)
    assert "token" not in page.url
