"""Unlock sign-in from the Staff Information drawer: a staff member locked out by failed
sign-ins is shown as locked, an administrator unlocks them, and they can sign in again."""

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from backend.demo import DEMO_STAFF_PASSWORD
from tests.e2e.api import Api
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_staff_drawer import drawer, open_view
from tests.e2e.test_two_factor_ui import sign_out
from tests.live_server import live_server

LOCK_AFTER = 3
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { token userErrors { code message } } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[str]:
    """This module's app locks a username after a few failures (the default is 20)."""
    folder: Path = tmp_path_factory.mktemp("e2e-lock")
    with live_server(folder, LOGIN_LOCK_AFTER=str(LOCK_AFTER)) as base:
        yield base


def lock_out(server: str, username: str) -> None:
    """Fails sign-in with a wrong password until the username is locked."""
    codes = []
    for _ in range(LOCK_AFTER + 1):
        body = httpx.post(
            f"{server}/graphql",
            json={"query": LOGIN, "variables": {"i": {"username": username, "password": "nope"}}},
            timeout=10,
        ).json()
        codes.append(body["data"]["login"]["userErrors"][0]["code"])
    assert codes == ["INVALID_CREDENTIALS"] * LOCK_AFTER + ["ACCOUNT_LOCKED"], codes


def test_unlock_a_locked_sign_in_from_the_drawer(page: Page, server: str) -> None:
    api = Api(server)
    lock_out(server, "cnurse")
    staff = api.staff("cnurse")
    assert staff["loginLocked"] is True

    # Locked: the sign-in page says so even with the right password.
    page.goto("/sign-in")
    page.get_by_label("Username").fill("cnurse")
    page.get_by_label("Password").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("locked")

    sign_in(page)
    open_view(page, staff["id"], staff["fullName"])
    panel = drawer(page)
    expect(panel).to_contain_text("🔒 Sign-in locked — too many failed attempts")
    history = panel.get_by_role("region", name="History")
    # Refused attempts after the lock are failed sign-ins too, so the lock is not the newest.
    locked = history.get_by_role("listitem").filter(
        has_text="Sign-in locked after too many failed attempts"
    )
    expect(locked).to_have_count(1)
    expect(locked).to_contain_text("not signed in")
    expect(history.get_by_role("listitem").filter(has_text="✘ Sign-in failed")).to_have_count(
        LOCK_AFTER + 2  # the failures that locked it, the refused one, the browser's
    )
    screenshot(page, "staff-drawer-sign-in-locked")

    # Going back changes nothing.
    panel.get_by_role("button", name="Unlock sign-in").click()
    dialog = page.get_by_role("dialog", name="Unlock sign-in?")
    expect(dialog).to_contain_text("Camille Nurse can try to sign in again straight away")
    dialog.get_by_role("button", name="Back").click()
    expect(dialog).to_have_count(0)
    assert api.staff("cnurse")["loginLocked"] is True

    panel.get_by_role("button", name="Unlock sign-in").click()
    page.get_by_role("dialog", name="Unlock sign-in?").get_by_role(
        "button", name="Unlock sign-in"
    ).click()
    expect(panel.locator(".sd-status-line")).to_have_text("✔ Sign-in unlocked.")
    expect(panel).not_to_contain_text("Sign-in locked — too many failed attempts")
    expect(panel.get_by_role("button", name="Unlock sign-in")).to_have_count(0)
    me = api.call("{ viewer { account { fullName } } }")["viewer"]["account"]["fullName"]
    expect(history.get_by_role("listitem").first).to_contain_text("Sign-in unlocked")
    expect(history.get_by_role("listitem").first).to_contain_text(f"by {me}")
    assert api.staff("cnurse")["loginLocked"] is False
    api.close()
    screenshot(page, "staff-drawer-sign-in-unlocked")

    # Camille signs in again, with her password alone.
    panel.get_by_role("button", name="Close").first.click()
    sign_out(page)
    sign_in(page, "cnurse", DEMO_STAFF_PASSWORD)
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
