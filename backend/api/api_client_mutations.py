"""Creating, rotating and revoking API clients: people with Manage Accounts only."""

from datetime import datetime

import strawberry
from strawberry.types import Info

from backend.api.api_client_types import ApiClient
from backend.api.context import Context
from backend.api.errors import UserError, user_errors
from backend.api.ids import NO_SUCH_ID, parse_id
from backend.api.permissions import MANAGERS_ONLY
from backend.services import api_clients
from backend.services.api_clients import NewApiClient
from backend.services.caller import Scope
from backend.services.errors import DomainError


@strawberry.input(description="A new API client for a partner system.")
class ApiClientCreateInput:
    name: str = strawberry.field(
        description='What it is for, 1–100 characters, e.g. "Workday HR sync".'
    )
    scopes: list[Scope] = strawberry.field(description="What it may do; at least one.")
    expires_in_days: int | None = strawberry.field(
        default=None,
        description="Expire this many days from now (1–3650); null for no fixed expiry "
        "(it still expires after API_CLIENT_IDLE_DAYS unused).",
    )


@strawberry.input(description="The API client whose secret to replace.")
class ApiClientRotateInput:
    id: strawberry.ID = strawberry.field(description="An active API client.")


@strawberry.input(description="The API client to revoke.")
class ApiClientRevokeInput:
    id: strawberry.ID = strawberry.field(description="An API client that is not yet revoked.")


@strawberry.type(description="Result of apiClientCreate.")
class ApiClientCreatePayload:
    api_client: ApiClient | None = strawberry.field(description="The new client.")
    secret: str | None = strawberry.field(
        description="Its secret, shown this once: store it now. Send it as "
        "`Authorization: Bearer <secret>`."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type(description="Result of apiClientRotate.")
class ApiClientRotatePayload:
    api_client: ApiClient | None = strawberry.field(description="The client.")
    secret: str | None = strawberry.field(
        description="The new secret, shown this once. The previous one keeps working for "
        "API_CLIENT_ROTATION_OVERLAP_HOURS (24 by default), then stops."
    )
    previous_secret_expires_at: datetime | None = strawberry.field(
        description="Until when the previous secret keeps working (the end of the overlap)."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type(description="Result of apiClientRevoke.")
class ApiClientRevokePayload:
    api_client: ApiClient | None = strawberry.field(description="The client, now revoked.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type
class ApiClientMutations:
    @strawberry.mutation(
        description="Create an API client; its secret is in the answer, and only there.",
        permission_classes=MANAGERS_ONLY,
    )
    async def api_client_create(
        self, info: Info[Context, None], input: ApiClientCreateInput
    ) -> ApiClientCreatePayload:
        context = info.context
        data = NewApiClient(
            name=input.name, scopes=input.scopes, expires_in_days=input.expires_in_days
        )
        try:
            issued = await api_clients.create(
                viewer=context.require_viewer(), data=data, settings=context.settings
            )
        except DomainError as error:
            return ApiClientCreatePayload(
                api_client=None, secret=None, user_errors=user_errors(error)
            )
        return ApiClientCreatePayload(
            api_client=ApiClient.from_model(issued.client, context.settings),
            secret=issued.secret,
            user_errors=[],
        )

    @strawberry.mutation(
        description="Give an API client a new secret (in the answer, and only there); the "
        "previous one keeps working for the rotation overlap.",
        permission_classes=MANAGERS_ONLY,
    )
    async def api_client_rotate(
        self, info: Info[Context, None], input: ApiClientRotateInput
    ) -> ApiClientRotatePayload:
        context = info.context
        try:
            issued = await api_clients.rotate(
                viewer=context.require_viewer(),
                client_id=parse_id(input.id, "ApiClient") or NO_SUCH_ID,
                settings=context.settings,
            )
        except DomainError as error:
            return ApiClientRotatePayload(
                api_client=None,
                secret=None,
                previous_secret_expires_at=None,
                user_errors=user_errors(error),
            )
        return ApiClientRotatePayload(
            api_client=ApiClient.from_model(issued.client, context.settings),
            secret=issued.secret,
            previous_secret_expires_at=issued.previous_secrets_end,
            user_errors=[],
        )

    @strawberry.mutation(
        description="Revoke an API client: every secret of it stops working at once.",
        permission_classes=MANAGERS_ONLY,
    )
    async def api_client_revoke(
        self, info: Info[Context, None], input: ApiClientRevokeInput
    ) -> ApiClientRevokePayload:
        context = info.context
        try:
            client = await api_clients.revoke(
                viewer=context.require_viewer(),
                client_id=parse_id(input.id, "ApiClient") or NO_SUCH_ID,
                settings=context.settings,
            )
        except DomainError as error:
            return ApiClientRevokePayload(api_client=None, user_errors=user_errors(error))
        return ApiClientRevokePayload(
            api_client=ApiClient.from_model(client, context.settings), user_errors=[]
        )
