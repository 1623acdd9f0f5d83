"""Browser tests: Debian's Chromium driven by Playwright against the real app.

Never downloads a browser. Without /usr/bin/chromium the tests skip with the reason
(`make test` installs it on Debian when it can); REQUIRE_BROWSER=1 (CI) makes that a failure.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests.live_server import ROOT, live_server

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None  # type: ignore[assignment]


def _unavailable_reason() -> str | None:
    if sync_playwright is None:
        return "playwright is not installed (pip install -e '.[dev]')"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing: install Debian's chromium package (make test tries)"
    return None


# Module scope, not session: Playwright's sync API keeps an event loop running in this
# thread while it is started, which would break the asyncio tests that run afterwards.
@pytest.fixture(scope="module")
def browser() -> Iterator["Browser"]:
    reason = _unavailable_reason()
    if reason and os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    if reason:
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, browser: "Browser") -> Iterator[str]:
    """One app per test module, with its own database and development mailbox, trusting
    only the SPA's own documents from cookie sessions: a document the SPA sends that the
    manifest (`make documents`) misses fails the test that sends it."""
    with live_server(tmp_path_factory.mktemp("e2e"), TRUSTED_DOCUMENTS_ONLY="true") as base:
        yield base


@pytest.fixture
def page(browser: "Browser", server: str) -> Iterator["Page"]:
    with open_page(browser, server) as opened:
        yield opened


@contextmanager
def open_page(
    browser: "Browser", server: str, width: int = 1280, height: int = 900
) -> Iterator["Page"]:
    """A page in a browser context of its own (its own cookies: another person signed in),
    failing the test on a script error or a CSP violation once the page is closed."""
    context = browser.new_context(base_url=server, viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    # Name the resource that failed (the console message does not).
    opened.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}")
            if response.status >= 500 or (response.status == 404 and "/graphql" not in response.url)
            else None
        ),
    )
    try:
        yield opened
    finally:
        context.close()
    # A script error or a CSP violation in the page fails the test that caused it.
    assert errors == [], errors


def sign_in(
    page: "Page", username: str = DEMO_ADMIN_USERNAME, password: str = DEMO_ADMIN_PASSWORD
) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out", exact=True).wait_for()


def spa_navigate(page: "Page", path: str) -> None:
    """Follows an in-app route without a request to the server (as a link of the app does):
    the page is not loaded again, and the not-found page's 404 is not asked for."""
    page.evaluate(
        "path => { history.pushState({}, '', path); dispatchEvent(new PopStateEvent('popstate')) }",
        path,
    )


def screenshot(page: "Page", name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
