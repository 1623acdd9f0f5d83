"""Talking to the running app's GraphQL API from browser tests, to set up data quickly."""

from typing import Any

import httpx

from backend.demo import DEMO_ADMIN_PASSWORD, DEMO_ADMIN_USERNAME
from tests import secret_watch

LOGIN = "mutation($i: LoginInput!) { login(input: $i) { token userErrors { message } } }"


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
            "password": "Granite-Willow-5512",
            "passwordConfirmation": "Granite-Willow-5512",
            "appUnlockPin": "3952",
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

    def close(self) -> None:
        self.http.close()
