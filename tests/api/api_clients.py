"""API clients for the tests: documents, and a client signed in with an API client's secret."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette

from tests.api.client import GraphQLClient
from tests.api.conftest import _http
from tests.api.documents import USER_ERRORS

CLIENT_FIELDS = """
id name scopes status createdAt expiresAt idleExpiresAt lastUsedAt lastUsedIp revokedAt
createdBy { username }
"""
API_CLIENT_CREATE = f"""
mutation($input: ApiClientCreateInput!) {{
  apiClientCreate(input: $input) {{ apiClient {{ {CLIENT_FIELDS} }} secret {USER_ERRORS} }}
}}
"""
API_CLIENT_ROTATE = f"""
mutation($input: ApiClientRotateInput!) {{
  apiClientRotate(input: $input) {{
    apiClient {{ {CLIENT_FIELDS} }} secret previousSecretExpiresAt {USER_ERRORS}
  }}
}}
"""
API_CLIENT_REVOKE = f"""
mutation($input: ApiClientRevokeInput!) {{
  apiClientRevoke(input: $input) {{ apiClient {{ {CLIENT_FIELDS} }} {USER_ERRORS} }}
}}
"""
API_CLIENTS = f"""
query($first: Int, $after: String) {{
  apiClients(first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {CLIENT_FIELDS} }} }}
  }}
}}
"""
CURRENT = """
query { viewer { account { id } }
        currentApiClient { apiClient { name scopes status expiresAt } practice { name } } }
"""
ALL_SCOPES = [
    "STAFF_READ",
    "STAFF_WRITE",
    "ROLES_READ",
    "ROLES_WRITE",
    "AUDIT_READ",
    "WEBHOOKS_MANAGE",
    "SCIM",
]


async def create_api_client(
    admin: GraphQLClient, scopes: list[str], name: str = "HR sync", **more: Any
) -> dict[str, Any]:
    """The payload of a successful apiClientCreate (apiClient and secret)."""
    payload = await admin.mutate(API_CLIENT_CREATE, {"name": name, "scopes": scopes, **more})
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


@asynccontextmanager
async def as_api_client(app: Starlette, secret: str) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client that sends the secret as its bearer token, as a partner would."""
    async with _http(app) as http:
        client = GraphQLClient(http)
        client.token = secret
        yield client


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]
