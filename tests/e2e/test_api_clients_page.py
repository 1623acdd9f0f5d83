"""The API clients page: an administrator creates a client with scopes in the browser and
copies its secret (shown once); the partner then lists and creates staff with it; rotate
keeps the old secret working for the overlap; revoke stops both; a client cannot sign in
to the app, and people without Manage Accounts do not get the page."""

import re
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from backend.demo import DEMO_STAFF_PASSWORD
from tests import secret_watch
from tests.e2e.conftest import screenshot, sign_in

SECRET = re.compile(r"sa_live_[A-Za-z0-9_-]{43}")
LIST = "{ staffMembers(first: 3) { totalCount edges { node { username } } } }"
REFS = "{ roles { id name } providers { id } }"
CREATE = """mutation($input: StaffCreateInput!) { staffCreate(input: $input) {
  staffMember { username status } userErrors { field code message } } }"""


def call(server: str, secret: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    return httpx.post(
        f"{server}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"authorization": f"Bearer {secret}"},
        timeout=10,
    ).json()


def shown_secret(page: Page) -> str:
    value = page.get_by_label("Secret", exact=True).inner_text().strip()
    assert SECRET.fullmatch(value), value
    secret_watch.remember(value)
    return value


def test_an_administrator_creates_rotates_and_revokes_an_api_client(
    page: Page, server: str
) -> None:
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API clients").click()
    expect(page.get_by_role("heading", name="API clients", exact=True)).to_be_visible()
    expect(page.get_by_text("No API clients yet.")).to_be_visible()

    page.get_by_role("button", name="Create API client").click()
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_text("Enter a name, e.g. the partner system's.")).to_be_visible()
    page.get_by_label("Name").fill("Workday HR sync")
    page.get_by_role("checkbox", name=re.compile("^staff:read")).check()
    page.get_by_role("checkbox", name=re.compile("^staff:write")).check()
    page.get_by_role("checkbox", name=re.compile("^roles:read")).check()
    page.get_by_role("button", name="Create", exact=True).click()
    expect(page.get_by_role("heading", name="Secret of Workday HR sync")).to_be_focused()
    first = shown_secret(page)
    page.get_by_role("button", name="Copy").click()
    expect(page.locator(".copy-status")).to_contain_text(re.compile("Copied|Selected"))
    screenshot(page, "api-clients-secret")

    # The partner works with it: it lists staff and creates a person.
    listed = call(server, first, LIST)
    assert listed["data"]["staffMembers"]["totalCount"] >= 5, listed
    refs = call(server, first, REFS)["data"]
    role_id = next(r["id"] for r in refs["roles"] if r["name"] == "Nurse (System)")
    created = call(
        server,
        first,
        CREATE,
        {
            "input": {
                "firstName": "Wanda",
                "lastName": "Workday",
                "primaryProviderId": refs["providers"][0]["id"],
                "roleId": role_id,
                "username": "wworkday",
                "email": "wanda.workday@example.com",
                "password": "Synced-Secret-2026",
                "passwordConfirmation": "Synced-Secret-2026",
                "appUnlockPin": "7316",
            }
        },
    )
    assert created["data"]["staffCreate"]["userErrors"] == [], created
    # Outside its scopes: FORBIDDEN naming the scope.
    refused = call(server, first, "{ auditEvents { totalCount } }")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "audit:read" in refused["errors"][0]["message"]
    # It is not a person: it cannot sign in to the app.
    assert call(server, first, "{ viewer { account { id } } }")["data"]["viewer"] is None

    page.get_by_role("button", name="I have stored the secret").click()
    expect(page.get_by_label("Secret", exact=True)).to_have_count(0)
    page.reload()
    row = page.get_by_role("row", name=re.compile("Workday HR sync"))
    expect(row).to_contain_text("staff:read")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("by Alex Admin")
    expect(row).to_contain_text("127.0.0.1")  # its last use

    # Rotate: a new secret, and the old one still works for the overlap.
    row.get_by_role("button", name="Rotate the secret of Workday HR sync").click()
    page.get_by_role("dialog").get_by_role("button", name="Rotate secret").click()
    expect(page.get_by_role("heading", name="New secret of Workday HR sync")).to_be_focused()
    expect(page.get_by_role("region", name="New secret of Workday HR sync")).to_contain_text(
        "The previous secret keeps working until"
    )
    second = shown_secret(page)
    assert second != first
    assert "errors" not in call(server, first, LIST)
    assert "errors" not in call(server, second, LIST)

    # Revoke: both stop at once.
    row.get_by_role("button", name="Revoke Workday HR sync").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button")).to_have_count(0)
    for secret in (first, second):
        assert call(server, secret, LIST)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_people_without_manage_accounts_do_not_get_the_page(page: Page, server: str) -> None:
    sign_in(page, "cnurse", DEMO_STAFF_PASSWORD)
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="API clients")
    ).to_have_count(0)
    page.goto("/api-clients")
    expect(page).to_have_url(re.compile(r"/account$"))
