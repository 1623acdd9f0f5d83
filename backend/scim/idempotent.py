"""The Idempotency-Key header on SCIM POST /Users: an identity provider that retries a
create after a timeout gets the first answer back — status, Location, ETag and body —
instead of a second person and a second activation email.

The rules are the GraphQL mutations' (backend/services/idempotency.py): keys belong to the
API client, the request is stored only as a keyed hash, concurrent duplicates run once.
What SCIM adds is the answer's shape: the stored response is the whole HTTP answer (a
SCIM User never carries a password), and refusals are SCIM errors whose detail starts
with our code. Statuses follow the IETF Idempotency-Key draft: 422 for a key reused with
another body, 409 for one whose first request is still unfinished."""

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from backend.config import Settings
from backend.scim.errors import MEDIA_TYPE, ScimError
from backend.services import idempotency
from backend.services.caller import ApiClientCaller

HEADER = "idempotency-key"
_STATUSES = {"IDEMPOTENCY_KEY_REUSED": 422, "IDEMPOTENCY_KEY_IN_USE": 409}
# The answer's headers worth replaying; the rest (date, length) belong to each answer.
_KEPT_HEADERS = ("location", "etag")


async def keyed_create(
    request: Request,
    caller: ApiClientCaller,
    body: Any,
    create: Callable[[], Awaitable[Response]],
    *,
    settings: Settings,
) -> Response:
    """`create`'s answer, produced once per key; without a key, simply `create`'s."""
    key = request.headers.get(HEADER)
    if key is None:
        return await create()
    params = request.query_params
    # What the answer depends on: the body and the projection asked for.
    canonical = {
        "body": body,
        "attributes": params.get("attributes"),
        "excludedAttributes": params.get("excludedAttributes"),
    }
    try:
        keyed = idempotency.keyed_request(caller, key, "scim.Users.create", canonical)
        assert keyed is not None

        async def produce() -> dict[str, str]:
            return _stored(await create())

        return _replayed(await idempotency.once(keyed, produce, settings=settings))
    except idempotency.IdempotencyError as refused:
        status = _STATUSES.get(refused.code)
        if status is None:  # the key itself is malformed
            raise ScimError(400, f"Idempotency-Key: {refused}", "invalidValue") from None
        raise ScimError(status, f"{refused.code}: {refused}") from None


def _stored(response: Response) -> dict[str, str]:
    stored = {"status": str(response.status_code), "body": bytes(response.body).decode()}
    for name in _KEPT_HEADERS:
        if name in response.headers:
            stored[name] = response.headers[name]
    return stored


def _replayed(stored: dict[str, str]) -> Response:
    headers = {name: stored[name] for name in _KEPT_HEADERS if name in stored}
    return Response(
        stored["body"].encode(),
        status_code=int(stored["status"]),
        media_type=MEDIA_TYPE,
        headers=headers,
    )
