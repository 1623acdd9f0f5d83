"""axe-core (the npm package, as the axe-playwright-python wheel ships it) on every page of
the app, in light, dark and forced colours: no serious or critical violation anywhere.

One browser context per colour scheme, signed in once; axe is evaluated in the page over
the DevTools protocol, which the page's CSP does not govern (the app never loads it)."""

from importlib.resources import files
from typing import Any, Literal

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.api import Api
from tests.e2e.conftest import open_page, sign_in, spa_navigate

Scheme = Literal["light", "dark", "forced"]
# axe-core's own build, as the axe-playwright-python wheel carries it from npm.
AXE_SCRIPT = files("axe_playwright_python").joinpath("axe.min.js").read_text()

# preload: false: axe's stylesheet preloading (for one rule, css-orientation-lock) resolves
# an @import against the document instead of its sheet and parses sheets through inline
# <style> elements, which the CSP rightly refuses (and the page fixture reports).
RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"], preload: false });
  return results.violations
    .filter((v) => ["serious", "critical"].includes(v.impact))
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5)
      .map((n) => n.target.join(" ") + " :: " + n.failureSummary) }));
}"""

# Nothing left loading and no transition under way (a drawer fading in has, for a moment,
# text of too little contrast): the page shows what axe must judge.
SETTLED = """() => !document.querySelector('.loading, .loading-inline, [aria-busy=true]')
  && document.getAnimations().every((animation) => animation.playState !== 'running')"""


def audit(page: Page, heading: str) -> list[dict[str, Any]]:
    expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
    page.wait_for_function(SETTLED)
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return found


def emulate(page: Page, scheme: Scheme) -> None:
    if scheme == "forced":
        page.emulate_media(forced_colors="active")
    else:
        page.emulate_media(color_scheme=scheme)
    query = "(forced-colors: active)" if scheme == "forced" else f"(prefers-color-scheme: {scheme})"
    assert page.evaluate("query => matchMedia(query).matches", query)


def open_drawer(page: Page, button: str) -> None:
    page.get_by_role("main").get_by_role("button", name=button, exact=True).first.click()
    expect(page.get_by_role("dialog", name="Staff Information")).to_be_visible()


def close_drawer(page: Page) -> None:
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Staff Information")).to_be_hidden()


def format_report(scheme: str, found: dict[str, list[dict[str, Any]]]) -> str:
    lines = [f"axe-core: serious or critical violations in {scheme} colours"]
    for where, violations in found.items():
        for violation in violations:
            rule = f"{violation['id']} ({violation['impact']})"
            lines.append(f"- {where}: {rule}: {violation['help']}")
            lines.extend(f"    {node}" for node in violation["nodes"])
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", ["light", "dark", "forced"])
def test_no_serious_axe_violation_on_any_page(
    browser: Browser, server: str, scheme: Scheme
) -> None:
    found: dict[str, list[dict[str, Any]]] = {}

    def check(where: str, heading: str) -> None:
        violations = audit(page, heading)
        if violations:
            found[where] = violations

    with Api(server) as api:  # an email in the mailbox, for the mailbox page to list
        api.create_staff(f"axe{scheme}")
    with open_page(browser, server) as page:
        page.goto("/sign-in")
        emulate(page, scheme)
        page.goto("/sign-in")
        check("sign-in", "Sign in")
        page.goto("/activate#token=not-a-real-token")
        check("activate (bad link)", "This link cannot be used")
        page.goto("/forgot-password")
        check("forgot password", "Reset your password")
        page.goto("/reset-password#token=not-checked-until-sent")
        check("reset password", "Choose a new password")
        page.goto("/mailbox")
        mail = page.locator(".mailbox-item", has_text=f"axe{scheme}@example.com")
        mail.locator("summary").click()  # its headers, activation link and text too
        expect(mail.get_by_role("link", name="Open activation link")).to_be_visible()
        check("mailbox", "Development mailbox")
        spa_navigate(page, "/no-such-page")
        check("not found", "Page not found")

        sign_in(page)
        page.goto("/staff")
        expect(page.get_by_role("button", name="View Camille Nurse")).to_be_visible()
        check("staff", "Staff")
        open_drawer(page, "Add Staff")
        check("staff drawer (create)", "Staff Information")
        close_drawer(page)
        open_drawer(page, "View Camille Nurse")
        check("staff drawer (view)", "Camille Nurse")
        close_drawer(page)
        for path, heading in (
            ("/roles", "Roles & Permissions"),
            ("/api-clients", "API clients"),
            ("/webhooks", "Webhooks"),
            ("/account", "Your account"),
        ):
            spa_navigate(page, path)
            check(path.strip("/"), heading)

    if found:
        pytest.fail(format_report(scheme, found), pytrace=False)
