"""Account self-service in the browser: a nurse changes her password; she forgets it and
resets it from the sign-in page with the emailed link and her two-factor code, and every
old session ends; an administrator sends a reset, requires a new password and signs a
person out everywhere from the drawer; an email change through its confirmation link, and
the refusal when Enable email update is off."""

import re
from typing import Any

import pyotp
from playwright.sync_api import Browser, Page, expect

from backend.demo import DEMO_STAFF_PASSWORD
from tests import secret_watch
from tests.e2e.api import Api, wait_for_link
from tests.e2e.conftest import open_page, screenshot, sign_in
from tests.e2e.test_staff_drawer import drawer, open_view
from tests.e2e.test_two_factor_ui import next_code

FIRST = "Juniper-Harbor-5521"
SECOND = "Saffron-Kettle-9034"
THIRD = "Orchid-Lantern-7710"
for _password in (FIRST, SECOND, THIRD):
    secret_watch.remember(_password)

VIEWER = "{ viewer { account { username } } }"


def still_signed_in(api: Api) -> bool:
    """Whether the API client's bearer session still works."""
    body = api.http.post("/graphql", json={"query": VIEWER}).json()
    return body.get("data", {}).get("viewer") is not None


def activated(server: str, username: str, **fields: Any) -> None:
    with Api(server) as admin:
        admin.create_staff(username, **fields)
        admin.activate(username, FIRST)


def change_password(page: Page, current: str, new: str) -> None:
    section = page.get_by_role("region", name="Password")
    section.get_by_label("Current password").fill(current)
    section.get_by_label("New password", exact=True).fill(new)
    section.get_by_label("Confirm new password").fill(new)
    section.get_by_role("button", name="Change password").click()


def test_a_nurse_changes_her_password_and_her_other_sessions_end(page: Page, server: str) -> None:
    activated(server, "gnurse")
    phone = Api(server, username="gnurse", password=FIRST)
    sign_in(page, "gnurse", FIRST)
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    details = page.get_by_role("region", name="Your account")
    expect(details).to_contain_text("gnurse@example.com")
    expect(details).to_contain_text("Last sign-in")
    sessions = page.get_by_role("region", name="Where you are signed in")
    expect(sessions.get_by_text("This browser")).to_be_visible()
    # Activation signed her in, then the phone, then this browser.
    expect(sessions.get_by_role("listitem")).to_have_count(3)
    expect(sessions.get_by_role("button", name=re.compile("^End the session of"))).to_have_count(2)

    change_password(page, "not-my-password", SECOND)
    expect(page.get_by_role("region", name="Password").get_by_role("alert")).to_contain_text(
        "current password"
    )
    assert still_signed_in(phone)
    change_password(page, FIRST, SECOND)
    expect(page.get_by_role("region", name="Password").get_by_role("status")).to_contain_text(
        "Your password is changed"
    )
    assert not still_signed_in(phone)  # the other session ended; this one stays
    expect(sessions.get_by_role("listitem")).to_have_count(1)
    page.reload()
    expect(details).to_contain_text("Last sign-in")
    expect(sessions.get_by_text("This browser")).to_be_visible()
    screenshot(page, "account-page-self-service")

    # Sign out everywhere, this browser too.
    other = Api(server, username="gnurse", password=SECOND)
    sessions.get_by_role("button", name="Sign out everywhere").click()
    page.get_by_role("dialog").get_by_role("button", name="Sign out everywhere").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("signed out everywhere")
    assert not still_signed_in(other)
    phone.close()
    other.close()


def test_forgot_password_with_two_factor_ends_every_session(page: Page, server: str) -> None:
    activated(server, "hnurse")
    phone = Api(server, username="hnurse", password=FIRST)
    with Api(server, username="hnurse", password=FIRST) as own:
        secret = own.call("mutation { twoFactorEnrollStart { secret } }")["twoFactorEnrollStart"][
            "secret"
        ]
        confirm = own.call(
            "mutation($i: TwoFactorEnrollConfirmInput!) { twoFactorEnrollConfirm(input: $i) "
            "{ userErrors { message } } }",
            {"i": {"code": pyotp.TOTP(secret).now()}},
        )
        assert confirm["twoFactorEnrollConfirm"]["userErrors"] == []
    assert still_signed_in(phone)

    page.goto("/sign-in")
    page.get_by_role("link", name="Forgot password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.get_by_label("Username or email").fill("hnurse")
    page.get_by_role("button", name="Email me a reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_focused()

    link = wait_for_link(server, "hnurse@example.com", "reset-password")
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(SECOND)
    page.get_by_label("Confirm new password").fill(SECOND)
    page.get_by_role("button", name="Set new password").click()
    code = page.get_by_label("Two-factor code")
    expect(code).to_be_focused()
    code.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(code).to_have_attribute("aria-invalid", "")
    code.fill(next_code(secret))  # the enrolment used the current step's code
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")

    # Every old session ended.
    assert not still_signed_in(phone)
    phone.close()
    # The link works once.
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(THIRD)
    page.get_by_label("Confirm new password").fill(THIRD)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()


def test_an_administrator_resets_requires_a_new_password_and_signs_out(
    page: Page, server: str, browser: Browser
) -> None:
    activated(server, "inurse")
    with Api(server) as admin:
        staff = admin.staff("inurse")
    sign_in(page)
    open_view(page, staff["id"], staff["fullName"])
    panel = drawer(page)
    expect(panel).to_contain_text("Last sign-in")

    panel.get_by_role("button", name="Send password reset").click()
    page.get_by_role("dialog", name="Send a password reset link?").get_by_role(
        "button", name="Send reset link"
    ).click()
    expect(panel.get_by_role("status")).to_contain_text(
        "Password reset link sent to inurse@example.com"
    )
    assert wait_for_link(server, "inurse@example.com", "reset-password").startswith(
        "/reset-password#"
    )

    with open_page(browser, server) as nurse:
        sign_in(nurse, "inurse", FIRST)
        panel.get_by_role("button", name="Require new password").click()
        page.get_by_role("dialog", name="Require a new password?").get_by_role(
            "button", name="Require new password"
        ).click()
        expect(panel).to_contain_text("A new password is required at the next sign-in")

        # Her session ended; the next sign-in is held until she chooses one.
        nurse.reload()
        expect(nurse.get_by_role("heading", name="Sign in")).to_be_visible()
        nurse.get_by_label("Username").fill("inurse")
        nurse.get_by_label("Password").fill(FIRST)
        nurse.get_by_role("button", name="Sign in").click()
        expect(nurse.get_by_role("alert").first).to_contain_text(
            "Choose a new password to continue"
        )
        nurse.goto("/roles")
        expect(nurse).to_have_url(re.compile(r"/account$"))
        change_password(nurse, FIRST, SECOND)
        expect(nurse.get_by_role("status").first).to_contain_text("Your new password is set")
        expect(nurse.get_by_role("region", name="Where you are signed in")).to_be_visible()

        # Sign out everywhere, from the drawer: her browser is signed out, she stays active.
        panel.get_by_role("button", name="Sign out everywhere").click()
        page.get_by_role("dialog", name="Sign out everywhere?").get_by_role(
            "button", name="Sign out everywhere"
        ).click()
        expect(panel.get_by_role("status")).to_contain_text("Signed out everywhere")
        nurse.reload()
        expect(nurse.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(panel).to_contain_text("Active")


def test_an_email_change_with_its_link_and_the_refusal_when_off(
    page: Page, server: str, browser: Browser
) -> None:
    activated(server, "jnurse")
    activated(server, "knurse", emailUpdateEnabled=False)
    sign_in(page, "jnurse", FIRST)
    details = page.get_by_role("region", name="Your account")
    details.get_by_role("button", name="Change email address").click()
    expect(details.get_by_label("New email address")).to_be_focused()
    details.get_by_label("New email address").fill("jnurse.new@example.com")
    details.get_by_label("Current password").fill(FIRST)
    details.get_by_role("button", name="Send confirmation link").click()
    expect(details.get_by_role("status")).to_contain_text(
        "We sent a confirmation link to jnurse.new@example.com"
    )
    expect(details).to_contain_text("Waiting for confirmation: jnurse.new@example.com")

    link = wait_for_link(server, "jnurse.new@example.com", "confirm-email")
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your new email address")).to_be_visible()
    page.get_by_role("button", name="Confirm email address").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Your email address is now jnurse.new@example.com"
    )
    page.get_by_role("link", name="Go to your account").click()
    expect(details).to_contain_text("jnurse.new@example.com")
    expect(details).not_to_contain_text("Waiting for confirmation")

    with open_page(browser, server) as other:
        sign_in(other, "knurse", FIRST)
        own = other.get_by_role("region", name="Your account")
        expect(own).to_contain_text("Your practice administrator manages your email address")
        expect(own.get_by_role("button", name="Change email address")).to_have_count(0)


# The demo's own staff keep the demo password: nothing here changes theirs.
assert DEMO_STAFF_PASSWORD not in (FIRST, SECOND, THIRD)
