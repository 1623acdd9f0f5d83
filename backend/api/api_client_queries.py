"""Reading API clients: the practice's list (people with Manage Accounts) and, for an API
client, itself."""

from typing import Annotated

import strawberry
from strawberry.types import Info

from backend.api.api_client_types import (
    ApiClient,
    ApiClientConnection,
    ApiClientEdge,
    CurrentApiClient,
)
from backend.api.context import Context
from backend.api.errors import translate
from backend.api.permissions import MANAGERS_ONLY
from backend.api.practice_types import Practice
from backend.api.relay import PageInfo
from backend.services import api_clients, practice


@strawberry.type
class ApiClientQueries:
    @strawberry.field(
        description="The practice's API clients, newest first (for people with Manage "
        "Accounts; API clients cannot list or manage API clients).",
        permission_classes=MANAGERS_ONLY,
    )
    async def api_clients(
        self,
        info: Info[Context, None],
        first: Annotated[
            int | None, strawberry.argument(description="Page size, at most 100.")
        ] = 25,
        after: Annotated[
            str | None, strawberry.argument(description="`endCursor` of the previous page.")
        ] = None,
    ) -> ApiClientConnection:
        viewer, settings = info.context.require_viewer(), info.context.settings
        page = await translate(
            lambda: api_clients.list_clients(viewer=viewer, first=first, after=after)
        )
        edges = [
            ApiClientEdge(node=ApiClient.from_model(client, settings), cursor=cursor)
            for client, cursor in zip(page.items, page.cursors, strict=True)
        ]
        return ApiClientConnection(
            edges=edges,
            page_info=PageInfo.forward(page.cursors, has_next_page=page.has_next_page),
            _viewer=viewer,
        )

    @strawberry.field(
        description="The API client calling (its name, scopes, expiry and practice); null "
        "for a person or when signed out (people read `viewer`, which is null for a client)."
    )
    async def current_api_client(self, info: Info[Context, None]) -> CurrentApiClient | None:
        caller = info.context.api_client
        if caller is None:
            return None
        record = await api_clients.caller_record(caller)
        practice_record, used = await practice.practice_with_seats(caller)
        return CurrentApiClient(
            api_client=ApiClient.from_model(record, info.context.settings),
            practice=Practice.from_model(practice_record, used),
        )
