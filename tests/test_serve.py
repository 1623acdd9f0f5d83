"""The README's promise, end to end: `serve --demo` in a real process on a real socket, then
sign in, add staff, read the email at /dev/mailbox, activate, see the person active."""

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests.live_server import live_server
from tests.pins import STAFF_PIN


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with live_server(tmp_path) as base:
        yield base
    output = (tmp_path / "server.log").read_text()
    assert f"open {base}/" in output
    assert DEMO_ADMIN_USERNAME in output


def _call(http: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = http.post("/graphql", json={"query": query, "variables": variables or {}})
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_newcomer_walk_through(server: str) -> None:
    # Like the SPA, the client marks its requests: the session cookie login sets would
    # otherwise make them cookie requests without the CSRF header, which are refused.
    with httpx.Client(
        base_url=server, timeout=10, headers={"x-requested-with": "staff-accounts"}
    ) as http:
        login = _call(
            http,
            "mutation($i: LoginInput!) { login(input: $i) { token userErrors { code } } }",
            {
                "i": {
                    "username": DEMO_ADMIN_USERNAME,
                    "password": DEMO_ADMIN_PASSWORD,
                    "session": "BEARER",
                }
            },
        )["login"]
        assert login["userErrors"] == []
        http.headers["authorization"] = f"Bearer {login['token']}"
        refs = _call(http, "{ roles { id name } providers { id fullName } }")
        assert refs["providers"][0]["fullName"] == "Hannah Provider"
        nurse = next(r["id"] for r in refs["roles"] if r["name"] == "Nurse (System)")
        created = _call(
            http,
            "mutation($i: StaffCreateInput!) { staffCreate(input: $i) "
            "{ staffMember { id status } userErrors { code message } } }",
            {
                "i": {
                    "firstName": "Nora",
                    "lastName": "Newcomer",
                    "primaryProviderId": refs["providers"][0]["id"],
                    "roleId": nurse,
                    "username": "nnewcomer",
                    "email": "nora@example.com",
                    "password": "Granite-Willow-5512",
                    "passwordConfirmation": "Granite-Willow-5512",
                    "appUnlockPin": STAFF_PIN,
                }
            },
        )["staffCreate"]
        assert created["userErrors"] == [] and created["staffMember"]["status"] == "PENDING"

        link = None
        for _ in range(100):
            messages = http.get("/dev/mailbox").json()["messages"]
            mine = [m for m in messages if m["to"] == ["nora@example.com"]]
            if mine:
                link = mine[0]["links"][0]
                break
            time.sleep(0.1)
        assert link and "/activate#token=" in link
        # The demo's active and inactive people got no link; its pending people did.
        recipients = {m["to"][0].split("@")[0] for m in messages}
        assert recipients == {"ffrontdesk", "ppending", "nora"}
        token = re.sub(r".*#token=", "", link)

        del http.headers["authorization"]
        activated = _call(
            http,
            "mutation($i: AccountActivateInput!) { accountActivate(input: $i) "
            "{ account { status } userErrors { code } } }",
            {
                "i": {
                    "token": token,
                    "username": "nnewcomer",
                    "password": "Granite-Willow-5512",
                    "newPassword": "Lighthouse-Ember-7731",
                    "newPasswordConfirmation": "Lighthouse-Ember-7731",
                }
            },
        )["accountActivate"]
        assert activated == {"account": {"status": "ACTIVE"}, "userErrors": []}

        http.headers["authorization"] = f"Bearer {login['token']}"
        active = _call(
            http,
            "{ staffMembers(filter: {status: ACTIVE}) { edges { node { username } } } }",
        )
        names = [e["node"]["username"] for e in active["staffMembers"]["edges"]]
        assert "nnewcomer" in names
        page = http.get("/activate")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
