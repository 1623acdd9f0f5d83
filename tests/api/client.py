"""A small GraphQL client over httpx, as an API user would write one."""

from typing import Any

import httpx

from tests import secret_watch

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { token account { id username } userErrors { field code message } }
}
"""


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token: str | None = None

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The whole response body (data and errors)."""
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
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
        payload = await self.mutate(LOGIN, {"username": username, "password": password})
        assert payload["userErrors"] == [], payload["userErrors"]
        self.token = payload["token"]
        secret_watch.remember(self.token, password)
        return payload
