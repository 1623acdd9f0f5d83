"""A wrong current password when turning two-factor sign-in off counts as a failed sign-in:
after a few, the account page says how long to wait (the server's retryAfterSeconds)."""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_two_factor_ui import STAFF_PASSWORD, enrol_by_api, next_code, password_step
from tests.live_server import live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[str]:
    """From the first failure on, the next attempt waits 1 s, then 2 s, then 4 s, …"""
    folder: Path = tmp_path_factory.mktemp("e2e-throttle")
    with live_server(folder, LOGIN_DELAY_AFTER="1") as base:
        yield base


def test_wrong_passwords_when_turning_two_factor_off_make_you_wait(page: Page, server: str) -> None:
    secret, _codes = enrol_by_api(server, "bbiller")
    password_step(page, "bbiller", STAFF_PASSWORD)
    page.get_by_label("Two-factor code").fill(next_code(secret))
    page.get_by_role("button", name="Verify and sign in").click()
    page.get_by_role("button", name="Sign out", exact=True).wait_for()
    page.goto("/account")
    section = page.get_by_role("region", name="Two-factor authentication")
    section.get_by_role("button", name="Turn off two-factor sign-in").click()

    def attempt() -> None:
        section.get_by_label("Current password").fill("not-my-password")
        with page.expect_response(lambda response: response.url.endswith("/graphql")):
            section.get_by_role("button", name="Turn off", exact=True).click()

    for wait in (1, 2):  # let each delay pass: these are counted as failures
        attempt()
        expect(section.get_by_role("alert")).to_contain_text("The current password is incorrect.")
        time.sleep(wait + 0.3)
    attempt()  # the third failure: the next attempt must wait 4 s
    expect(section.get_by_role("alert")).to_contain_text("The current password is incorrect.")
    attempt()
    expect(section.get_by_role("alert")).to_have_text(
        re.compile(r"Too many failed sign-ins\..* You can try again in [1-4] seconds?\.")
    )
    expect(section).to_contain_text("✔ On")
