"""Talking to the running app's GraphQL API from browser tests, to set up data quickly."""

import time
from typing import Any

import httpx

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests import secret_watch
from tests.pins import STAFF_PIN

LOGIN = "mutation($i: LoginInput!) { login(input: $i) { token userErrors { message } } }"
GIVEN_PASSWORD = "Granite-Willow-5512"  # the password create_staff gives
ACTIVATE = """mutation($i: AccountActivateInput!) { accountActivate(input: $i) {
  account { status } userErrors { field code message } } }"""
STAFF_BY_SEARCH = """query($s: String!) { staffMembers(filter: {search: $s}) {
  edges { node { id username fullName status loginLocked } } } }"""


class Api:
    def __init__(
        self, base: str, username: str = DEMO_ADMIN_USERNAME, password: str = DEMO_ADMIN_PASSWORD
    ):
        self.http = httpx.Client(base_url=base, timeout=15)
        payload = self.call(LOGIN, {"i": {"username": username, "password": password}})["login"]
        assert payload["userErrors"] == [], payload
        self.http.headers["authorization"] = f"Bearer {payload['token']}"
        secret_watch.remember(payload["token"])

    def call(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}
        ).json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def create_staff(
        self, username: str, role: str = "Nurse (System)", **fields: Any
    ) -> dict[str, Any]:
        refs = self.call("{ roles { id name } providers { id } }")
        role_id = next(r["id"] for r in refs["roles"] if r["name"] == role)
        values = {
            "firstName": username.capitalize(),
            "lastName": "Tester",
            "primaryProviderId": refs["providers"][0]["id"],
            "roleId": role_id,
            "username": username,
            "email": f"{username}@example.com",
            "password": GIVEN_PASSWORD,
            "passwordConfirmation": GIVEN_PASSWORD,
            "appUnlockPin": STAFF_PIN,
            **fields,
        }
        payload = self.call(
            "mutation($i: StaffCreateInput!) { staffCreate(input: $i) "
            "{ staffMember { id status } userErrors { field message } } }",
            {"i": values},
        )["staffCreate"]
        assert payload["userErrors"] == [], payload
        staff: dict[str, Any] = payload["staffMember"]
        return staff

    def staff(self, username: str) -> dict[str, Any]:
        """The staff member with this username (id, fullName, status, loginLocked)."""
        edges = self.call(STAFF_BY_SEARCH, {"s": username})["staffMembers"]["edges"]
        found: dict[str, Any] = next(
            edge["node"] for edge in edges if edge["node"]["username"] == username
        )
        return found

    def activation_token(self, username: str) -> str:
        """The token of the activation link emailed to a staff member made by create_staff."""
        message = wait_for_email(str(self.http.base_url), f"{username}@example.com")
        link = next(link for link in message["links"] if "/activate#token=" in link)
        token: str = link.split("#token=", 1)[1]
        secret_watch.remember(token)
        return token

    def activate(self, username: str, new_password: str) -> None:
        """Activates a staff member made by create_staff as they would: the emailed link's
        token, the given password, a password of their own (no bearer token needed)."""
        token = self.activation_token(username)
        secret_watch.remember(new_password)
        values = {
            "token": token,
            "username": username,
            "password": GIVEN_PASSWORD,
            "newPassword": new_password,
            "newPasswordConfirmation": new_password,
        }
        body = httpx.post(
            str(self.http.base_url.join("/graphql")),
            json={"query": ACTIVATE, "variables": {"i": values}},
            timeout=15,
        ).json()
        payload = body["data"]["accountActivate"]
        assert payload["userErrors"] == [], payload
        assert payload["account"]["status"] == "ACTIVE", payload

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def wait_for_email(server: str, address: str) -> dict[str, Any]:
    """The outbox sender delivers in the background: wait until the dev mailbox has it."""
    deadline = time.monotonic() + 15
    while True:
        messages = httpx.get(f"{server.rstrip('/')}/dev/mailbox", timeout=5).json()["messages"]
        for message in messages:
            if address in message["to"]:
                found: dict[str, Any] = message
                return found
        assert time.monotonic() < deadline, f"no email to {address}"
        time.sleep(0.2)


def wait_for_link(server: str, address: str, path: str, after: int = 0) -> str:
    """The path and fragment (e.g. /reset-password#token=…) of the newest emailed link to
    `address` that leads to `path`, once more than `after` such links have arrived."""
    deadline = time.monotonic() + 15
    while True:
        messages = httpx.get(f"{server.rstrip('/')}/dev/mailbox", timeout=5).json()["messages"]
        links = [
            link
            for message in messages
            if address in message["to"]
            for link in message["links"]
            if f"/{path.strip('/')}#token=" in link
        ]
        if len(links) > after:
            link: str = links[-1]
            secret_watch.remember(link.split("#token=", 1)[1])
            return "/" + link.split("://", 1)[1].split("/", 1)[1]
        assert time.monotonic() < deadline, f"no {path} link to {address}"
        time.sleep(0.2)
