"""A small GraphQL client over httpx, as an API user would write one."""

from typing import Any

import httpx

from tests import secret_watch

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token account { id username } userErrors { field code message } }
}
"""
# The header the SPA sends on every request (the CSRF defence of cookie sessions).
SPA_HEADERS = {"x-requested-with": "staff-accounts"}


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token: str | None = None

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole response body (data and errors)."""
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        if self.http.cookies.get("staff_session"):
            # A session cookie (activation sets one): from now on, as the SPA would.
            headers.update(SPA_HEADERS)
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        secret_watch.remember_from_response(body)
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of a request that must not fail with GraphQL errors."""
        body = await self.execute(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def mutate(self, query: str, input: dict[str, Any]) -> dict[str, Any]:
        """The payload of a single-field mutation."""
        data = await self.data(query, {"input": input})
        payload: dict[str, Any] = next(iter(data.values()))
        return payload

    async def login(self, username: str, password: str) -> dict[str, Any]:
        """Signs in with a bearer session, as the mobile app does."""
        payload = await self.mutate(
            LOGIN, {"username": username, "password": password, "session": "BEARER"}
        )
        assert payload["userErrors"] == [], payload["userErrors"]
        self.token = payload["token"]
        secret_watch.remember(self.token, password)
        return payload

    async def browser_login(self, username: str, password: str) -> dict[str, Any]:
        """Signs in as the SPA does: a session cookie in this client's jar, no token; every
        later request carries the SPA's header."""
        self.http.headers.update(SPA_HEADERS)
        payload = await self.mutate(LOGIN, {"username": username, "password": password})
        assert payload["userErrors"] == [] and payload["token"] is None, payload
        self.token = None
        secret_watch.remember(self.http.cookies.get("staff_session"), password)
        return payload
