"""Bulk lifecycle actions (issue 16): resend, cancel and deactivate for up to 100 staff,
and "Resend all expired" on Pending. Each person is acted on alone, by the rule of the
single mutation (backend/services/bulk_lifecycle.py); the answer has one result per id."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError, user_errors
from backend.api.idempotent import idempotent_answer
from backend.api.ids import parse_id, to_global_id
from backend.api.permissions import allowing
from backend.api.staff_payloads import staff_id_of
from backend.api.staff_types import StaffMember
from backend.models import StaffMember as StaffModel
from backend.services import bulk_lifecycle, lifecycle
from backend.services.bulk_lifecycle import Outcome
from backend.services.caller import Access
from backend.services.errors import DomainError, ErrorCode
from backend.services.staff_directory import staff_with_relations_among


@strawberry.input(description="Up to 100 staff members, each named once.")
class StaffBulkInput:
    ids: list[strawberry.ID] = strawberry.field(
        description="The staff members, 1–100 distinct IDs; results come in this order."
    )


@strawberry.input(description="Where the walk through expired activation links goes on.")
class StaffResendExpiredActivationsInput:
    after: strawberry.ID | None = strawberry.field(
        default=None,
        description="`endCursor` of the previous call; leave out for the first batch.",
    )


@strawberry.type(description="What happened to one staff member of a bulk action.")
class StaffBulkResult:
    id: strawberry.ID = strawberry.field(description="The ID as given (or, for expired, found).")
    staff_member: StaffMember | None = strawberry.field(
        description="The staff member as it is now; null when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing changed for this person, if so (NOT_FOUND for an ID that "
        "names nobody of the practice)."
    )


@strawberry.type(description="Result of a bulk action: one result per ID, in input order.")
class StaffBulkPayload:
    results: list[StaffBulkResult] = strawberry.field(
        description="One per given ID, in the same order; empty when there are userErrors."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why the whole request was refused (too many, none or repeated IDs); "
        "then nothing was done."
    )


@strawberry.type(description="Result of staffBulkResendActivation.")
class StaffBulkResendActivationPayload(StaffBulkPayload):
    pass


@strawberry.type(description="Result of staffBulkCancelVerification.")
class StaffBulkCancelVerificationPayload(StaffBulkPayload):
    pass


@strawberry.type(description="Result of staffBulkDeactivate.")
class StaffBulkDeactivatePayload(StaffBulkPayload):
    pass


@strawberry.type(description="Result of staffResendExpiredActivations: one batch.")
class StaffResendExpiredActivationsPayload(StaffBulkPayload):
    has_more: bool = strawberry.field(
        description="Whether expired people remain after this batch: call again with "
        "`after: endCursor`."
    )
    end_cursor: strawberry.ID | None = strawberry.field(
        description="Pass as `after` for the next batch; null when this batch was empty."
    )


def _stored_errors(error: DomainError, index: int | None) -> list[dict[str, Any]]:
    # A person's error points at their place in `ids` (it says ["id"] in the service).
    field = ["input", "ids", str(index)] if index is not None else None
    return [
        {
            "field": field if e.field else None,
            "code": e.code.value,
            "message": e.message,
            "retryAfterSeconds": e.retry_after_seconds,
        }
        for e in error.errors
    ]


def _stored_results(
    given: Sequence[str], outcomes: Sequence[Outcome], *, indexed: bool
) -> list[dict[str, Any]]:
    """The answer as kept under an Idempotency-Key: identities and messages, no secrets."""
    return [
        {
            "id": given_id,
            "staffMemberId": str(outcome.staff.id) if outcome.staff else None,
            "userErrors": _stored_errors(outcome.error, index if indexed else None)
            if outcome.error
            else [],
        }
        for index, (given_id, outcome) in enumerate(zip(given, outcomes, strict=True))
    ]


async def _results(stored: list[dict[str, Any]]) -> list[StaffBulkResult]:
    """The results with each changed person read again, as now, in three queries."""
    found = await staff_with_relations_among(
        [UUID(row["staffMemberId"]) for row in stored if row["staffMemberId"]]
    )
    return [
        StaffBulkResult(
            id=strawberry.ID(row["id"]),
            staff_member=StaffMember.from_model(found[UUID(row["staffMemberId"])])
            if row["staffMemberId"]
            else None,
            user_errors=[
                UserError(
                    field=error["field"],
                    code=ErrorCode(error["code"]),
                    message=error["message"],
                    retry_after_seconds=error["retryAfterSeconds"],
                )
                for error in row["userErrors"]
            ],
        )
        for row in stored
    ]


async def _bulk(
    context: Context,
    operation: str,
    input: StaffBulkInput,
    action: Callable[[UUID], Awaitable[StaffModel]],
) -> tuple[list[StaffBulkResult], list[UserError]]:
    try:
        bulk_lifecycle.check_batch(input.ids)
    except DomainError as refused:
        return [], user_errors(refused)

    async def produce() -> dict[str, Any]:
        outcomes = await bulk_lifecycle.each([staff_id_of(i) for i in input.ids], action)
        return {"results": _stored_results(input.ids, outcomes, indexed=True)}

    stored = await idempotent_answer(context, operation, input, produce)
    return await _results(stored["results"]), []


@strawberry.type
class StaffBulkMutations:
    @strawberry.mutation(
        description="staffResendActivation for up to 100 staff, each on their own: one "
        "result per ID. Accepts an Idempotency-Key.",
        permission_classes=allowing(Access.STAFF_WRITE),
    )
    async def staff_bulk_resend_activation(
        self, info: Info[Context, None], input: StaffBulkInput
    ) -> StaffBulkResendActivationPayload:
        context = info.context
        caller = context.require_caller()
        results, errors = await _bulk(
            context,
            "staffBulkResendActivation",
            input,
            lambda staff_id: lifecycle.resend_activation(
                caller=caller, staff_id=staff_id, settings=context.settings
            ),
        )
        return StaffBulkResendActivationPayload(results=results, user_errors=errors)

    @strawberry.mutation(
        description="staffCancelVerification for up to 100 staff, each on their own: one "
        "result per ID. Accepts an Idempotency-Key.",
        permission_classes=allowing(Access.STAFF_WRITE),
    )
    async def staff_bulk_cancel_verification(
        self, info: Info[Context, None], input: StaffBulkInput
    ) -> StaffBulkCancelVerificationPayload:
        caller = info.context.require_caller()
        results, errors = await _bulk(
            info.context,
            "staffBulkCancelVerification",
            input,
            lambda staff_id: lifecycle.cancel_verification(caller=caller, staff_id=staff_id),
        )
        return StaffBulkCancelVerificationPayload(results=results, user_errors=errors)

    @strawberry.mutation(
        description="staffDeactivate for up to 100 staff, each on their own: one result per "
        "ID. Accepts an Idempotency-Key.",
        permission_classes=allowing(Access.STAFF_WRITE),
    )
    async def staff_bulk_deactivate(
        self, info: Info[Context, None], input: StaffBulkInput
    ) -> StaffBulkDeactivatePayload:
        caller = info.context.require_caller()
        results, errors = await _bulk(
            info.context,
            "staffBulkDeactivate",
            input,
            lambda staff_id: lifecycle.deactivate(caller=caller, staff_id=staff_id),
        )
        return StaffBulkDeactivatePayload(results=results, user_errors=errors)

    @strawberry.mutation(
        description="Resend the activation email to the next (at most 100) pending staff "
        "whose link expired, in ID order; call again with `after: endCursor` while "
        "`hasMore`. Accepts an Idempotency-Key.",
        permission_classes=allowing(Access.STAFF_WRITE),
    )
    async def staff_resend_expired_activations(
        self,
        info: Info[Context, None],
        input: StaffResendExpiredActivationsInput,
    ) -> StaffResendExpiredActivationsPayload:
        context = info.context
        caller = context.require_caller()
        given = input.after
        after = parse_id(given, "StaffMember") if given else None
        if given and after is None:
            return StaffResendExpiredActivationsPayload(
                results=[],
                user_errors=[
                    UserError(
                        field=["input", "after"],
                        code=ErrorCode.INVALID,
                        message="`after` must be the endCursor of an earlier call.",
                    )
                ],
                has_more=False,
                end_cursor=None,
            )

        async def produce() -> dict[str, Any]:
            batch = await bulk_lifecycle.resend_expired(
                caller=caller, settings=context.settings, after=after
            )
            ids = [to_global_id("StaffMember", staff_id) for staff_id in batch.staff_ids]
            return {
                "results": _stored_results(ids, batch.outcomes, indexed=False),
                "hasMore": batch.has_more,
                "endCursor": ids[-1] if ids else None,
            }

        stored = await idempotent_answer(context, "staffResendExpiredActivations", input, produce)
        return StaffResendExpiredActivationsPayload(
            results=await _results(stored["results"]),
            user_errors=[],
            has_more=stored["hasMore"],
            end_cursor=stored["endCursor"],
        )
