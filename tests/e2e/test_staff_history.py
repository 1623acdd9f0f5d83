"""The staff drawer's History: what was done to a staff member, by whom, newest first."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.api import Api
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_staff_drawer import drawer, open_view

STAFF_BY_SEARCH = """
query($search: String!) { staffMembers(filter: {search: $search}) {
  edges { node { id username fullName } } } }
"""
ACT = """
mutation($i: StaffActionInput!) { %s(input: $i) { staffMember { status } userErrors { message } } }
"""
UPDATE = """
mutation($i: StaffUpdateInput!) { staffUpdate(input: $i) { userErrors { message } } }
"""


@pytest.fixture
def api(server: str) -> Iterator[Api]:
    client = Api(server)
    yield client
    client.close()


def test_view_shows_deactivate_and_reactivate_in_history(page: Page, api: Api) -> None:
    edges = api.call(STAFF_BY_SEARCH, {"search": "bbiller"})["staffMembers"]["edges"]
    staff = next(edge["node"] for edge in edges if edge["node"]["username"] == "bbiller")
    me = api.call("{ viewer { account { fullName } } }")["viewer"]["account"]["fullName"]
    changed = api.call(UPDATE, {"i": {"id": staff["id"], "cellPhone": "212-555-0142"}})
    assert changed["staffUpdate"]["userErrors"] == []
    for action in ("staffDeactivate", "staffReactivate"):
        payload = api.call(ACT % action, {"i": {"id": staff["id"]}})[action]
        assert payload["userErrors"] == [], payload

    sign_in(page)
    open_view(page, staff["id"], staff["fullName"])
    history = drawer(page).get_by_role("region", name="History")
    expect(history).to_be_visible()
    items = history.get_by_role("listitem")
    expect(items.nth(0)).to_contain_text("Reactivated")
    expect(items.nth(1)).to_contain_text("Deactivated")
    expect(items.nth(2)).to_contain_text("Details changed (cellPhone)")
    for index in range(3):
        expect(items.nth(index)).to_contain_text(f"by {me}")
        expect(items.nth(index).locator("time")).to_have_attribute(
            "datetime", re.compile(r"^\d{4}-")
        )
    history.scroll_into_view_if_needed()
    screenshot(page, "staff-drawer-history")
