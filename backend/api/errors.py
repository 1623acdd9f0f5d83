"""How failures reach clients: userErrors for expected ones, coded GraphQL errors
for authentication and permission (backend/api/error_policy.py codes and masks the rest)."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from graphql import GraphQLError

from backend.services.errors import AuthenticationRequired, DomainError, ErrorCode, PermissionDenied

UserErrorCode = strawberry.enum(
    ErrorCode, name="UserErrorCode", description="Machine-readable reason of a user error."
)


@strawberry.type(description="An expected failure of a mutation; nothing was changed.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path of the input field concerned, e.g. ["input", "email"]; null when '
        "the error concerns the whole request."
    )
    code: ErrorCode = strawberry.field(description="Machine-readable reason.")
    message: str = strawberry.field(description="A sentence a person can act on.")
    retry_after_seconds: int | None = strawberry.field(
        default=None,
        description="For TOO_MANY_ATTEMPTS and RATE_LIMITED: seconds to wait before trying "
        "again. Null otherwise.",
    )


def asks_for_second_factor(error: DomainError) -> bool:
    """Whether the credentials were right and a two-factor code is what is missing."""
    return any(e.code == ErrorCode.TWO_FACTOR_REQUIRED for e in error.errors)


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(
            field=["input", *e.field] if e.field else None,
            code=e.code,
            message=e.message,
            retry_after_seconds=e.retry_after_seconds,
        )
        for e in error.errors
    ]


class CodedError(GraphQLError):
    """A GraphQL error with `extensions.code`, shown to clients as it is."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message, extensions={"code": code})


def unauthenticated() -> CodedError:
    return CodedError("Sign in to do this.", "UNAUTHENTICATED")


T = TypeVar("T")


async def denials_as_errors(call: Callable[[], Awaitable[T]]) -> T:
    """Run a service call for a mutation: a refusal of the caller (not signed in, not
    allowed) becomes a top-level coded error like the permission classes' own; other
    domain failures go on to the payload's userErrors."""
    try:
        return await call()
    except AuthenticationRequired:
        raise unauthenticated() from None
    except PermissionDenied as denied:
        raise CodedError(str(denied), denied.code) from None


async def translate(call: Callable[[], Awaitable[T]]) -> T:
    """Run a service call for a query field, turning domain failures into coded errors."""
    try:
        return await denials_as_errors(call)
    except DomainError as error:
        raise CodedError(error.errors[0].message, "BAD_USER_INPUT") from None
