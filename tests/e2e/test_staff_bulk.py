"""The Staff list's bulk actions and downloads: select three pending people and resend to
all (three emails), a per-person result when some fail, "Resend all expired" looping
while the server has more, the CSV export honouring the filters, and "Try again" after
a failed load. On an app of its own: it adds three pending staff."""

import csv
import io
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.api import Api
from tests.e2e.conftest import open_page, screenshot, sign_in
from tests.live_server import live_server

NEWCOMERS = ["bulka", "bulkb", "bulkc"]


@pytest.fixture(scope="module")
def bulk_server(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("bulk"), TRUSTED_DOCUMENTS_ONLY="true") as base:
        with Api(base) as api:
            for username in NEWCOMERS:
                api.create_staff(username, lastName="Bulk")
        yield base


@pytest.fixture
def bulk_page(browser: Browser, bulk_server: str) -> Iterator[Page]:
    with open_page(browser, bulk_server) as opened:
        opened.clock.install()  # the moment to undo passes when a test says (fast_forward)
        sign_in(opened)
        yield opened


def mails_to(server: str, address: str) -> int:
    messages = httpx.get(f"{server}/dev/mailbox", timeout=5).json()["messages"]
    return sum(address in message["to"] for message in messages)


@pytest.fixture(scope="module")
def api(bulk_server: str) -> Iterator[Api]:
    with Api(bulk_server) as client:
        yield client


def statuses(api: Api, *usernames: str) -> list[str]:
    return [api.staff(username)["status"] for username in usernames]


def wait_for_statuses(api: Api, usernames: list[str], status: str, within: float) -> None:
    """Polls the server: `within` seconds stays well under the 5 s the page would wait."""
    deadline = time.monotonic() + within
    while statuses(api, *usernames) != [status] * len(usernames):
        assert time.monotonic() < deadline, statuses(api, *usernames)
        time.sleep(0.1)


def wait_for_mails(server: str, address: str, count: int) -> None:
    deadline = time.monotonic() + 15
    while mails_to(server, address) < count:
        assert time.monotonic() < deadline, f"fewer than {count} emails to {address}"
        time.sleep(0.2)


def pending_tab(page: Page) -> None:
    page.get_by_role("tab", name=re.compile(r"^Pending\b")).click()
    expect(page.locator("staff-list tbody tr")).to_have_count(2 + len(NEWCOMERS))


def test_resend_to_three_selected_people(bulk_page: Page, bulk_server: str) -> None:
    page = bulk_page
    for username in NEWCOMERS:
        wait_for_mails(bulk_server, f"{username}@example.com", 1)
    fiona = "ffrontdesk@demo-family-practice.example"
    fiona_before = mails_to(bulk_server, fiona)
    pending_tab(page)
    for username in NEWCOMERS:
        page.get_by_role("checkbox", name=f"Select {username.capitalize()} Bulk").check()
    bar = page.get_by_role("group", name="Bulk actions")
    expect(bar).to_contain_text("3 selected")
    screenshot(page, "staff-bulk-selected")
    bar.get_by_role("button", name="Resend activation").click()
    expect(page.get_by_role("status")).to_have_text("✔ A new activation link was sent to 3 people.")
    for username in NEWCOMERS:
        wait_for_mails(bulk_server, f"{username}@example.com", 2)
    assert mails_to(bulk_server, fiona) == fiona_before  # not selected
    expect(bar).to_be_hidden()  # the selection is done with


def request_for(route: Route, field: str) -> dict[str, Any] | None:
    """The GraphQL request of `route` when it asks for `field`; any other goes through
    (None)."""
    body: dict[str, Any] = json.loads(route.request.post_data or "{}")
    if field in body.get("query", ""):
        return body
    route.fallback()
    return None


def test_select_all_and_a_result_per_person(bulk_page: Page) -> None:
    page = bulk_page
    pending_tab(page)

    # The server refuses one of them: the page names who and why.
    def refuse_one(route: Route) -> None:
        body = request_for(route, "staffBulkCancelVerification")
        if body is None:
            return
        ids = body["variables"]["input"]["ids"]
        results: list[dict[str, Any]] = [
            {
                "id": ids[0],
                "staffMember": None,
                "userErrors": [
                    {
                        "field": "id",
                        "code": "INVALID_STATE",
                        "message": "They have activated already.",
                    }
                ],
            }
        ]
        route.fulfill(
            json={"data": {"staffBulkCancelVerification": {"results": results, "userErrors": []}}}
        )

    page.route("**/graphql", refuse_one)
    page.get_by_role("checkbox", name="Select all loaded pending staff").check()
    expect(page.get_by_role("group", name="Bulk actions")).to_contain_text("5 selected")
    page.get_by_role("button", name="Cancel verification").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel Verification").click()
    expect(page.get_by_role("status")).to_have_text(
        "The verification of 5 people will be cancelled. Undo"
    )
    page.clock.fast_forward(5_000)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not done for 1 person:")
    expect(alert).to_contain_text("Bulka Bulk: They have activated already.")
    # Nothing was changed for real: everyone is still listed.
    expect(page.locator("staff-list tbody tr")).to_have_count(2 + len(NEWCOMERS))


def test_resend_all_expired_goes_on_while_there_is_more(bulk_page: Page) -> None:
    page = bulk_page
    seen: list[Any] = []

    def answer(route: Route) -> None:
        body = request_for(route, "staffResendExpiredActivations")
        if body is None:
            return
        after = body["variables"]["input"]["after"]
        seen.append(after)
        route.fulfill(
            json={
                "data": {
                    "staffResendExpiredActivations": {
                        "results": [],
                        "userErrors": [],
                        "hasMore": after is None,
                        "endCursor": "cursor-1" if after is None else None,
                    }
                }
            }
        )

    page.route("**/graphql", answer)
    pending_tab(page)
    page.get_by_role("button", name="Resend all expired").click()
    dialog = page.get_by_role("dialog", name="Resend all expired activation links?")
    dialog.get_by_role("button", name="Resend all expired").click()
    expect(page.get_by_role("status")).to_have_text("✔ No activation link has expired.")
    assert seen == [None, "cursor-1"]


def test_export_downloads_the_filtered_list(bulk_page: Page) -> None:
    page = bulk_page
    pending_tab(page)
    page.get_by_label("Search by staff name, username").fill("bulk")
    expect(page.locator("staff-list tbody tr")).to_have_count(len(NEWCOMERS))
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    path = download.value.path()
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    text = "\n".join(",".join(row) for row in rows[1:])
    assert len(rows) == 1 + len(NEWCOMERS), rows
    for username in NEWCOMERS:
        assert username in text
    assert "ffrontdesk" not in text and "admin" not in text


def test_try_again_after_a_failed_load(bulk_page: Page) -> None:
    page = bulk_page
    failing = {"on": True}

    def fail_list(route: Route) -> None:
        if failing["on"] and "staffMembers" in (route.request.post_data or ""):
            route.abort()
        else:
            route.fallback()

    page.route("**/graphql", fail_list)
    page.get_by_role("tab", name=re.compile(r"^Inactive\b")).click()
    expect(page.get_by_role("alert")).to_contain_text("The server cannot be reached")
    failing["on"] = False
    page.get_by_role("alert").get_by_role("button", name="Try again").click()
    expect(page.locator("staff-list tbody .staff-name")).to_have_text(["Iris Inactive"])
    expect(page.get_by_role("alert")).to_have_text("")


# ---- undo: Deactivate and Cancel wait in the browser ------------------------------------


def test_undo_sends_nothing(bulk_page: Page, api: Api) -> None:
    page = bulk_page
    sent: list[str] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.post_data or "")
            if re.search(r"staff(Bulk)?(Deactivate|CancelVerification)", request.post_data or "")
            else None
        ),
    )
    camille = page.locator("staff-list tbody tr").filter(has_text="Camille Nurse")
    camille.get_by_role("button", name="Deactivate Camille Nurse").click()
    page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_have_text("Camille Nurse will be deactivated. Undo")
    expect(camille).to_have_count(0)
    expect(page.get_by_role("tab", name=re.compile("^Inactive"))).to_have_text("Inactive (2)")
    page.clock.fast_forward(3_000)
    assert statuses(api, "cnurse") == ["ACTIVE"]  # the server has seen nothing

    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status")).to_have_text("✔ Camille Nurse was not deactivated.")
    expect(camille).to_have_count(1)
    expect(page.get_by_role("tab", name=re.compile("^Inactive"))).to_have_text("Inactive (1)")
    page.clock.fast_forward(10_000)
    page.wait_for_timeout(300)
    assert statuses(api, "cnurse") == ["ACTIVE"]
    assert sent == []


def test_leaving_the_page_sends_what_waits_at_once(bulk_page: Page, api: Api) -> None:
    page = bulk_page
    # Another route of the app: sent when the Staff page goes.
    pending_tab(page)
    for username in ["bulka", "bulkb"]:
        page.get_by_role("checkbox", name=f"Select {username.capitalize()} Bulk").check()
    page.get_by_role("button", name="Cancel verification").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel Verification").click()
    expect(page.get_by_role("status")).to_contain_text("will be cancelled")
    expect(page.locator("staff-list tbody tr")).to_have_count(3)
    assert statuses(api, "bulka", "bulkb") == ["PENDING", "PENDING"]
    page.get_by_role("link", name="Roles & Permissions").click()
    wait_for_statuses(api, ["bulka", "bulkb"], "INACTIVE", within=3)

    # Leaving the app (another page load): sent on pagehide, with keepalive.
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("button", name="Deactivate Brian Biller").click()
    page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("will be deactivated")
    assert statuses(api, "bbiller") == ["ACTIVE"]
    page.goto("/mailbox")
    wait_for_statuses(api, ["bbiller"], "INACTIVE", within=3)


def test_two_waiting_changes_keep_their_own_undo(bulk_page: Page, api: Api) -> None:
    page = bulk_page
    page.get_by_role("tab", name=re.compile(r"^Pending\b")).click()
    for name in ["Fiona Frontdesk", "Peter Pending"]:
        page.get_by_role("button", name=f"Cancel {name}").click()
        page.get_by_role("dialog").get_by_role("button", name="Cancel Verification").click()
        page.clock.fast_forward(3_000)
    # Fiona's moment has passed: hers is sent; Peter's line and its Undo stay.
    wait_for_statuses(api, ["ffrontdesk"], "INACTIVE", within=3)
    status = page.get_by_role("status")
    expect(status).to_contain_text("Peter Pending's verification will be cancelled. Undo")
    expect(status.get_by_role("button", name="Undo")).to_have_count(1)
    status.get_by_role("button", name="Undo").click()
    expect(status).to_contain_text("Peter Pending's verification was not cancelled.")
    page.clock.fast_forward(10_000)
    page.wait_for_timeout(300)
    assert statuses(api, "ppending") == ["PENDING"]


def test_signing_out_sends_what_waits_first(bulk_page: Page, api: Api) -> None:
    page = bulk_page
    page.get_by_role("button", name="Deactivate Camille Nurse").click()
    page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("will be deactivated")
    assert statuses(api, "cnurse") == ["ACTIVE"]
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    wait_for_statuses(api, ["cnurse"], "INACTIVE", within=3)


def test_a_change_the_ended_session_could_not_make_is_said(bulk_page: Page, api: Api) -> None:
    page = bulk_page
    page.get_by_role("tab", name=re.compile(r"^Pending\b")).click()
    page.get_by_role("button", name="Cancel Bulkc Bulk").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel Verification").click()
    page.context.clear_cookies()  # the session is gone before the change is sent
    page.clock.fast_forward(5_000)
    notice = page.locator("sign-in-page .notice")
    expect(notice).to_contain_text("Your session has ended.")
    expect(notice).to_contain_text("Bulkc Bulk's verification was not cancelled.")
    assert statuses(api, "bulkc") == ["PENDING"]


def test_leaving_sends_every_batch_of_a_large_bulk_change_at_once(bulk_page: Page) -> None:
    """With keepalive (the page is going), 250 ids go as three requests started together:
    one after the other, only the first would leave a page that is gone."""
    timeline = bulk_page.evaluate(
        """async () => {
          const { runBulk } = await import("/src/components/staff-page/staff-bulk.js");
          const events = [];
          const realFetch = window.fetch;
          window.fetch = async (url, init) => {
            const { ids } = JSON.parse(init.body).variables.input;
            events.push(`start ${ids.length} ${init.keepalive}`);
            await new Promise((resolve) => setTimeout(resolve, 20));
            events.push("end");
            const results = ids.map((id) => ({ id, staffMember: { id }, userErrors: [] }));
            const data = { staffBulkDeactivate: { results, userErrors: [] } };
            return new Response(JSON.stringify({ data }));
          };
          try {
            const ids = Array.from({ length: 250 }, (_, i) => `id${i}`);
            const outcome = runBulk("bulk-deactivate", ids, { keepalive: true });
            return { events, done: (await outcome).done.length };
          } finally {
            window.fetch = realFetch;
          }
        }"""
    )
    assert timeline["events"][:3] == ["start 100 true", "start 100 true", "start 50 true"]
    assert timeline["done"] == 250
