"""What the Staff Information drawer shows of a person: the activation email and link
while they are pending (the email also for an inactive person who never activated), their
last sign-in once they are not pending; and a failed load that
can be tried again."""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_staff_drawer import OPEN_VIEW, drawer, find_staff, open_view

DATE_TIME = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}")
SUPERSEDED = "Replaced by a newer activation email"


def rows(page: Page) -> list[str]:
    """The labels of the drawer's detail rows, in order."""
    labels: list[str] = drawer(page).locator(".sd-row dt").all_inner_texts()
    return labels


def is_staff_member_query(route: Route) -> bool:
    return "StaffDrawerMember" in (route.request.post_data or "")


def rewrite_staff_member(change: Callable[[dict[str, Any]], None]) -> Callable[[Route], None]:
    """A route handler answering the drawer's person query with the server's answer, as
    `change` rewrites the person; other requests go through."""

    def handle(route: Route) -> None:
        if not is_staff_member_query(route):
            route.fallback()
            return
        response = route.fetch()
        body = response.json()
        change(body["data"]["staffMember"])
        route.fulfill(response=response, json=body)

    return handle


def _superseded(member: dict[str, Any]) -> None:
    member["activationEmail"] = {
        "status": "SUPERSEDED",
        "attempts": 1,
        "lastError": None,
        "sentAt": None,
    }


# The drawer's person, with an activation email replaced by a newer one.
supersede_activation_email = rewrite_staff_member(_superseded)


@pytest.fixture(autouse=True)
def no_route_left(page: Page) -> Iterator[None]:
    """A request still on its way when the test ends is not an error of the next one."""
    yield
    page.unroute_all(behavior="ignoreErrors")


def test_an_active_person_shows_last_sign_in_and_no_activation_email(
    page: Page, server: str
) -> None:
    admin = find_staff(server, "admin")
    assert admin is not None
    page.route("**/graphql", supersede_activation_email)
    sign_in(page)  # so the administrator has signed in
    open_view(page, admin["id"], "Alex Admin")
    last_sign_in = drawer(page).locator(".sd-row", has_text="Last sign-in")
    expect(last_sign_in.locator("time")).to_have_text(DATE_TIME)
    expect(last_sign_in.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
    labels = rows(page)
    assert "Activation email" not in labels and "Activation link" not in labels, labels
    expect(drawer(page)).not_to_contain_text(SUPERSEDED)


def test_an_inactive_person_shows_the_activation_email_only_if_never_activated(
    page: Page, server: str
) -> None:
    inactive = find_staff(server, "iinactive")  # cancelled before activating
    assert inactive is not None and inactive["status"] == "INACTIVE"
    sign_in(page)
    page.evaluate(OPEN_VIEW, inactive["id"])
    expect(drawer(page).get_by_role("heading", name="Iris Inactive")).to_be_focused()
    labels = rows(page)
    assert "Last sign-in" in labels, labels
    # Why the link never reached them may matter; the link itself is gone.
    assert "Activation email" in labels and "Activation link" not in labels, labels

    # Once activated (then deactivated), the activation email is history.
    def activated(member: dict[str, Any]) -> None:
        member["activatedAt"] = "2026-11-01T09:00:00+00:00"
        member["activationEmail"]["status"] = "SUPERSEDED"

    page.route("**/graphql", rewrite_staff_member(activated))
    drawer(page).get_by_role("button", name="Close").click()
    page.evaluate(OPEN_VIEW, inactive["id"])
    activated_row = drawer(page).locator(".sd-row", has_text=re.compile(r"^Activated"))
    expect(activated_row).to_contain_text("2026")
    labels = rows(page)
    assert "Activation email" not in labels and "Activation link" not in labels, labels
    expect(drawer(page)).not_to_contain_text(SUPERSEDED)


def test_a_pending_person_shows_the_activation_email_and_link(page: Page, server: str) -> None:
    pending = find_staff(server, "ffrontdesk")
    assert pending is not None and pending["status"] == "PENDING"
    sign_in(page)
    page.evaluate(OPEN_VIEW, pending["id"])
    expect(drawer(page).get_by_role("heading", name="Fiona Frontdesk")).to_be_focused()
    labels = rows(page)
    assert "Activation email" in labels and "Activation link" in labels, labels
    assert "Last sign-in" not in labels, labels
    expect(drawer(page).locator(".sd-row", has_text="Activation link")).to_contain_text(
        "Valid until"
    )
    # A replaced email still matters while the person is pending.
    page.route("**/graphql", supersede_activation_email)
    drawer(page).get_by_role("button", name="Close").click()
    page.evaluate(OPEN_VIEW, pending["id"])
    expect(drawer(page).locator(".sd-row", has_text="Activation email")).to_contain_text(SUPERSEDED)


def test_a_failed_load_can_be_tried_again(page: Page, server: str) -> None:
    nurse = find_staff(server, "cnurse")
    assert nurse is not None
    failures: list[str] = []

    def fail_once(route: Route) -> None:
        if is_staff_member_query(route) and not failures:
            failures.append(route.request.url)
            route.abort()
        else:
            route.fallback()

    sign_in(page)
    page.route("**/graphql", fail_once)
    page.evaluate(OPEN_VIEW, nurse["id"])
    panel = drawer(page)
    expect(panel.get_by_role("alert")).to_have_text(
        "The server cannot be reached. Check your connection and try again."
    )
    expect(panel.get_by_role("heading", name="Camille Nurse")).to_have_count(0)
    panel.get_by_role("button", name="Try again").click()
    expect(panel.get_by_role("heading", name="Camille Nurse")).to_be_focused()
    expect(panel.get_by_role("alert")).to_have_count(0)
    assert len(failures) == 1
