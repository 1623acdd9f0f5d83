"""The Idempotency-Key header on the mutations that create or send (staffCreate,
staffResendActivation and the bulk actions): the same key and request within 24 hours
answer with the same result, without repeating the effect
(backend/services/idempotency.py)."""

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from backend.api.context import Context
from backend.api.errors import CodedError
from backend.models import StaffMember
from backend.services import idempotency

HEADER = "idempotency-key"


async def idempotent_staff_change(
    context: Context,
    operation: str,
    input: object,
    change: Callable[[], Awaitable[StaffMember]],
) -> StaffMember:
    """Run `change` once per Idempotency-Key; a replay reads the same staff member again."""

    async def produce() -> dict[str, Any]:
        changed = await change()
        return {"staffMemberId": str(changed.id)}

    stored = await idempotent_answer(context, operation, input, produce)
    return await StaffMember.get(id=UUID(stored["staffMemberId"]))


async def idempotent_answer(
    context: Context,
    operation: str,
    input: object,
    produce: Callable[[], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Run `produce` once per Idempotency-Key (or every time without one); a replay gets
    the JSON it returned the first time. It must hold identities, never secrets."""
    key = context.request.headers.get(HEADER)
    if key is None:
        return await produce()
    try:
        request = idempotency.keyed_request(context.require_caller(), key, operation, _plain(input))
        assert request is not None
        return await idempotency.once(request, produce, settings=context.settings)
    except idempotency.IdempotencyError as refused:
        raise CodedError(str(refused), refused.code) from None


def _plain(input: object) -> object:
    # Strawberry inputs are dataclasses; UNSET and enums become strings in the canonical form.
    if dataclasses.is_dataclass(input) and not isinstance(input, type):
        return dataclasses.asdict(input)
    return input
