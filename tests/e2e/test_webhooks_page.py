"""The webhooks page against a real receiver on 127.0.0.1 (the test environment allows
loopback endpoints): a manager adds an endpoint in the browser, copies its secret (shown
once), sends a test event and sees it delivered, signed with that secret; a receiver that
answers 500 shows the failed attempt with its status and (escaped) body, and Retry sends
it again; rotating shows a new secret that signs beside the old one; delete removes the
endpoint; people without Manage Accounts do not get the page."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Route, expect
from standardwebhooks.webhooks import Webhook

from backend.demo import DEMO_STAFF_PASSWORD
from tests import secret_watch
from tests.e2e.api import Api
from tests.e2e.conftest import screenshot, sign_in
from tests.webhook_receiver import Receiver, running_receiver

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{20,}")
CREATE = """mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) {
  webhookEndpoint { id } secret userErrors { field message } } }"""
PING = """mutation($input: WebhookEndpointInput!) { webhookEndpointPing(input: $input) {
  userErrors { message } } }"""
# Delivery takes a poll of the in-process sender and one of the page: allow for a slow machine.
DELIVERED_WITHIN_MS = 15_000


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


def shown_secret(page: Page) -> str:
    value = page.get_by_label("Signing secret", exact=True).inner_text().strip()
    assert SECRET.fullmatch(value), value
    secret_watch.remember(value)
    return value


def open_webhooks(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()


def endpoint_card(page: Page, url: str) -> Locator:
    return page.get_by_role("article", name=url)


def delivery_row(log: Locator, event_type: str) -> Locator:
    header = log.page.get_by_role("rowheader", name=re.compile(f"^{re.escape(event_type)}"))
    return log.get_by_role("row").filter(has=header)


def test_a_manager_adds_an_endpoint_tests_it_rotates_and_deletes_it(
    page: Page, server: str, receiver: Receiver
) -> None:
    sign_in(page)
    open_webhooks(page)
    expect(page.get_by_text("No webhook endpoints yet.")).to_be_visible()

    page.get_by_role("button", name="Add endpoint").click()
    form = page.get_by_role("form", name="Add an endpoint")
    expect(form.get_by_label("URL")).to_be_focused()
    # Every event is chosen to begin with.
    expect(form.get_by_role("checkbox", name=re.compile(r"^staff\.created"))).to_be_checked()
    expect(form.get_by_role("checkbox", name=re.compile(r"^role\.deleted"))).to_be_checked()
    expect(form.get_by_role("checkbox", name=re.compile("^Enabled"))).to_be_checked()
    # Checked here first, then by the server: each message beside its field.
    form.get_by_role("button", name="Select none").click()
    form.get_by_role("button", name="Add endpoint").click()
    expect(form.get_by_text("Enter the URL that receives the events")).to_be_visible()
    expect(form.get_by_label("URL")).to_have_attribute("aria-invalid", "")
    expect(form.get_by_text("Choose at least one event.")).to_be_visible()
    form.get_by_label("URL").fill("ftp://hooks.example/staff")
    form.get_by_role("checkbox", name=re.compile(r"^staff\.created")).check()
    form.get_by_role("checkbox", name=re.compile(r"^staff\.deactivated")).check()
    form.get_by_role("button", name="Add endpoint").click()
    expect(form.get_by_text("Give an http(s):// URL.")).to_be_visible()
    expect(form.get_by_label("URL")).to_be_focused()

    form.get_by_label("URL").fill(receiver.url)
    form.get_by_label("Description").fill("HR sync <test>")
    form.get_by_role("button", name="Add endpoint").click()
    panel = page.get_by_role("region", name=f"Signing secret of {receiver.url}")
    expect(page.get_by_role("heading", name=f"Signing secret of {receiver.url}")).to_be_focused()
    expect(panel).to_contain_text("you will not see this secret again")
    expect(page.get_by_role("status").first).to_contain_text("Its signing secret is shown below")
    secret = shown_secret(page)
    panel.get_by_role("button", name="Copy").click()
    expect(panel.locator(".copy-status")).to_contain_text(re.compile("Copied|Selected"))
    screenshot(page, "webhooks-secret")
    page.get_by_role("button", name="I have stored the secret").click()
    expect(page.get_by_label("Signing secret", exact=True)).to_have_count(0)
    assert secret not in page.content()

    card = endpoint_card(page, receiver.url)
    expect(card).to_contain_text("HR sync <test>")
    expect(card).to_contain_text("staff.created")
    expect(card).to_contain_text("staff.deactivated")
    expect(card).not_to_contain_text("role.created")
    expect(card).to_contain_text("Enabled")

    # A test event: queued, then delivered, signed with the secret shown.
    card.get_by_role("button", name=f"Send test event to {receiver.url}").click()
    expect(page.get_by_role("status").first).to_contain_text("is queued")
    log = card.get_by_role("region", name="Delivery log")
    row = delivery_row(log, "ping")
    expect(row).to_contain_text("Delivered", timeout=DELIVERED_WITHIN_MS)
    expect(card.get_by_role("button", name=f"Delivery log of {receiver.url}")).to_have_attribute(
        "aria-expanded", "true"
    )
    [request] = receiver.requests
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "ping"
    expect(row).to_contain_text(payload["id"])
    row.get_by_role("button", name=re.compile("^Show attempts of ping")).click()
    attempts = log.get_by_role("table", name=re.compile("^Attempts of ping"))
    expect(attempts.get_by_role("row")).to_have_count(2)  # the header and one attempt
    expect(attempts).to_contain_text("204")
    screenshot(page, "webhooks-delivery-log")

    # Edit: switched off, and the events change.
    card.get_by_role("button", name=f"Edit {receiver.url}").click()
    edit = card.get_by_role("form", name="Edit endpoint")
    expect(edit.get_by_label("URL")).to_be_focused()
    expect(edit.get_by_label("URL")).to_have_value(receiver.url)
    edit.get_by_role("checkbox", name=re.compile(r"^role\.created")).check()
    edit.get_by_role("checkbox", name=re.compile("^Enabled")).uncheck()
    edit.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{receiver.url} is saved.")
    expect(card).to_contain_text("Disabled")
    expect(card).to_contain_text("Switched off by a person.")
    expect(card).to_contain_text("role.created")
    # The log stayed open through the save.
    expect(delivery_row(log, "ping")).to_contain_text("Delivered")
    card.get_by_role("button", name=f"Edit {receiver.url}").click()
    card.get_by_role("checkbox", name=re.compile("^Enabled")).check()
    card.get_by_role("button", name="Save changes").click()
    expect(card.locator(".endpoint-status")).to_have_text("Enabled")

    # Rotate: a new secret, shown once; the old one signs beside it for the overlap.
    card.get_by_role("button", name=f"Rotate the secret of {receiver.url}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("keeps signing beside it for 24 hours")
    dialog.get_by_role("button", name="Rotate secret").click()
    expect(
        page.get_by_role("heading", name=f"New signing secret of {receiver.url}")
    ).to_be_focused()
    expect(
        page.get_by_role("region", name=f"New signing secret of {receiver.url}")
    ).to_contain_text("The previous secret keeps signing beside it until")
    rotated = shown_secret(page)
    assert rotated != secret
    expect(card).to_contain_text("Signs too until")
    card.get_by_role("button", name=f"Send test event to {receiver.url}").click()
    expect(log.get_by_role("rowheader", name=re.compile("^ping"))).to_have_count(2)
    expect(delivery_row(log, "ping").first).to_contain_text(
        "Delivered", timeout=DELIVERED_WITHIN_MS
    )
    second = receiver.requests[1]
    for key in (secret, rotated):
        assert Webhook(key).verify(second.body, second.headers)["type"] == "ping"
    # Leaving the page is the end of it too.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Staff", exact=True
    ).click()
    open_webhooks(page)
    expect(card).to_be_visible()
    expect(page.get_by_label("Signing secret", exact=True)).to_have_count(0)

    # Delete, after a "Back" that changes nothing.
    card.get_by_role("button", name=f"Delete {receiver.url}").click()
    page.get_by_role("dialog").get_by_role("button", name="Back").click()
    expect(card).to_be_visible()
    card.get_by_role("button", name=f"Delete {receiver.url}").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete endpoint").click()
    expect(page.get_by_role("status").first).to_contain_text(f"{receiver.url} is deleted.")
    expect(card).to_have_count(0)
    expect(page.get_by_text("No webhook endpoints yet.")).to_be_visible()


def test_a_failing_receiver_shows_its_answer_and_retry_sends_again(
    page: Page, server: str, receiver: Receiver
) -> None:
    # Two 500s (the first attempt, and the one Retry makes), then 204 for the schedule's next.
    receiver.statuses = [500, 500]
    receiver.response_body = b'<img src=x data-injected="1"> database is down'
    with Api(server) as api:
        created: dict[str, Any] = api.call(
            CREATE, {"input": {"url": receiver.url, "eventTypes": ["STAFF_CREATED"]}}
        )["webhookEndpointCreate"]
        assert created["userErrors"] == [], created
        secret_watch.remember(created["secret"])
    sign_in(page)
    open_webhooks(page)
    card = endpoint_card(page, receiver.url)

    # The network fails: a clear message, and nothing is queued.
    def drop_pings(route: Route) -> None:
        if "WebhookEndpointPing" in (route.request.post_data or ""):
            route.abort()
        else:
            route.continue_()

    page.route("**/graphql", drop_pings)
    card.get_by_role("button", name=f"Send test event to {receiver.url}").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "The test event was not sent: The server cannot be reached."
    )
    page.unroute("**/graphql")
    assert receiver.requests == []

    card.get_by_role("button", name=f"Send test event to {receiver.url}").click()
    log = card.get_by_role("region", name="Delivery log")
    row = delivery_row(log, "ping")
    # Still pending after the failure, with its next attempt scheduled.
    expect(row.get_by_role("cell").nth(2)).to_have_text("1", timeout=DELIVERED_WITHIN_MS)
    expect(row).to_contain_text("Pending")
    expect(row.locator("time")).to_have_count(2)  # queued at, and the next attempt
    row.get_by_role("button", name=re.compile("^Show attempts of ping")).click()
    attempts = log.get_by_role("table", name=re.compile("^Attempts of ping"))
    expect(attempts).to_contain_text("500")
    excerpt = attempts.locator("pre.response-excerpt")
    expect(excerpt).to_have_text('<img src=x data-injected="1"> database is down')
    expect(page.locator("[data-injected]")).to_have_count(0)
    screenshot(page, "webhooks-failed-attempt")

    # The status filter narrows the log.
    log.get_by_label("Status").select_option("DELIVERED")
    expect(log.get_by_text("No deliveries with this status.")).to_be_visible()
    log.get_by_label("Status").select_option("PENDING")
    expect(delivery_row(log, "ping")).to_be_visible()

    row.get_by_role("button", name=re.compile("^Retry ping")).click()
    expect(page.get_by_role("status").first).to_contain_text("Retry queued: ping")
    expect(row.get_by_role("button", name=re.compile("^Retry ping"))).to_be_focused()
    # Retry sent it again at once (its second 500), then the schedule's next attempt got 204.
    expect(row.get_by_role("cell").nth(2)).to_have_text("2", timeout=DELIVERED_WITHIN_MS)
    log.get_by_label("Status").select_option("")
    expect(delivery_row(log, "ping")).to_contain_text("Delivered", timeout=DELIVERED_WITHIN_MS)
    assert len(receiver.requests) == 3
    # Still expanded: the log keeps what was open through its filters and looks.
    statuses = log.get_by_role("table", name=re.compile("^Attempts of ping")).locator(
        "tbody tr td:nth-child(2)"
    )
    expect(statuses).to_have_text(["500", "500", "204"])


def test_an_endpoint_that_answers_gone_shows_why_it_is_disabled(
    page: Page, server: str, receiver: Receiver
) -> None:
    receiver.statuses = [410]
    with Api(server) as api:
        created = api.call(CREATE, {"input": {"url": receiver.url, "eventTypes": ["ROLE_DELETED"]}})
        secret_watch.remember(created["webhookEndpointCreate"]["secret"])
    sign_in(page)
    open_webhooks(page)
    card = endpoint_card(page, receiver.url)
    expect(card.locator(".endpoint-status")).to_have_text("Enabled")
    card.get_by_role("button", name=f"Send test event to {receiver.url}").click()
    log = card.get_by_role("region", name="Delivery log")
    expect(delivery_row(log, "ping")).to_contain_text("Failed", timeout=DELIVERED_WITHIN_MS)
    # The endpoint's own state follows, without a reload.
    expect(card.locator(".endpoint-status")).to_have_text("Disabled")
    expect(card).to_contain_text("Disabled: it answered 410 Gone.")
    # A retry waits for the endpoint; enabling it again sends it.
    delivery_row(log, "ping").get_by_role("button", name=re.compile("^Retry ping")).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "is delivered once the endpoint is enabled again."
    )
    expect(delivery_row(log, "ping")).to_contain_text("Pending")
    card.get_by_role("button", name=f"Edit {receiver.url}").click()
    card.get_by_role("checkbox", name=re.compile("^Enabled")).check()
    card.get_by_role("button", name="Save changes").click()
    expect(card.locator(".endpoint-status")).to_have_text("Enabled")
    card.get_by_role("button", name="Refresh").click()
    expect(delivery_row(log, "ping")).to_contain_text("Delivered", timeout=DELIVERED_WITHIN_MS)
    assert len(receiver.requests) == 2


def test_many_deliveries_load_more(page: Page, server: str, receiver: Receiver) -> None:
    with Api(server) as api:
        created = api.call(CREATE, {"input": {"url": receiver.url, "eventTypes": ["ROLE_CREATED"]}})
        secret_watch.remember(created["webhookEndpointCreate"]["secret"])
        endpoint_id = created["webhookEndpointCreate"]["webhookEndpoint"]["id"]
        for _ in range(27):
            api.call(PING, {"input": {"id": endpoint_id}})
    sign_in(page)
    open_webhooks(page)
    card = endpoint_card(page, receiver.url)
    card.get_by_role("button", name=f"Delivery log of {receiver.url}").click()
    log = card.get_by_role("region", name="Delivery log")
    pings = log.get_by_role("rowheader", name=re.compile("^ping"))
    expect(pings).to_have_count(25)
    log.get_by_role("button", name="Load more").click()
    expect(pings).to_have_count(27)
    expect(log.get_by_role("button", name="Load more")).to_have_count(0)


def test_people_without_manage_accounts_do_not_get_the_page(page: Page, server: str) -> None:
    sign_in(page, "cnurse", DEMO_STAFF_PASSWORD)
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks")
    ).to_have_count(0)
    page.goto("/webhooks")
    expect(page).to_have_url(re.compile(r"/account$"))
