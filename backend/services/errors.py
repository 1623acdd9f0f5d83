"""Typed domain errors. The API turns them into `userErrors`; nothing else does."""

from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from typing import TypeVar

T = TypeVar("T")


class ErrorCode(str, Enum):
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    TOO_SHORT = "TOO_SHORT"
    TAKEN = "TAKEN"
    PASSWORD_MISMATCH = "PASSWORD_MISMATCH"
    PASSWORD_TOO_WEAK = "PASSWORD_TOO_WEAK"
    INVALID_PIN = "INVALID_PIN"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_USERNAME = "INVALID_USERNAME"
    INVALID_NPI = "INVALID_NPI"
    INVALID_NCSBN_ID = "INVALID_NCSBN_ID"
    INVALID_PHONE = "INVALID_PHONE"
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    SEAT_LIMIT_REACHED = "SEAT_LIMIT_REACHED"
    TOKEN_INVALID_OR_EXPIRED = "TOKEN_INVALID_OR_EXPIRED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    CANNOT_DEACTIVATE_SELF = "CANNOT_DEACTIVATE_SELF"
    LAST_ACCOUNT_MANAGER = "LAST_ACCOUNT_MANAGER"
    OFFICE_REQUIRED = "OFFICE_REQUIRED"
    SYSTEM_ROLE_READ_ONLY = "SYSTEM_ROLE_READ_ONLY"
    ROLE_IN_USE = "ROLE_IN_USE"
    EMAIL_UPDATE_DISABLED = "EMAIL_UPDATE_DISABLED"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    ACCOUNT_LOCKED = "ACCOUNT_LOCKED"
    RATE_LIMITED = "RATE_LIMITED"
    SESSION_REVOKED = "SESSION_REVOKED"
    TWO_FACTOR_REQUIRED = "TWO_FACTOR_REQUIRED"
    TWO_FACTOR_CODE_INVALID = "TWO_FACTOR_CODE_INVALID"
    TWO_FACTOR_NOT_ENABLED = "TWO_FACTOR_NOT_ENABLED"
    PASSWORD_REUSED = "PASSWORD_REUSED"
    REFRESH_TOKEN_INVALID = "REFRESH_TOKEN_INVALID"
    REFRESH_TOKEN_REUSED = "REFRESH_TOKEN_REUSED"
    MANAGE_ACCOUNTS_RESERVED = "MANAGE_ACCOUNTS_RESERVED"
    # The record changed since the version the client named (SCIM's If-Match).
    CHANGED_SINCE_READ = "CHANGED_SINCE_READ"


class FieldError(Exception):
    """One expected failure, tied to an input field when there is one."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: Sequence[str] | None = None,
        *,
        retry_after_seconds: int | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field: tuple[str, ...] | None = tuple(field) if field else None
        self.retry_after_seconds = retry_after_seconds

    def __repr__(self) -> str:
        return f"FieldError({self.code.value}, {self.message!r}, {self.field!r})"


class DomainError(Exception):
    """One or more expected failures; the operation changed nothing."""

    def __init__(self, errors: Sequence[FieldError]):
        super().__init__("; ".join(e.message for e in errors))
        self.errors: list[FieldError] = list(errors)

    @classmethod
    def single(
        cls,
        code: ErrorCode,
        message: str,
        field: Sequence[str] | None = None,
        *,
        retry_after_seconds: int | None = None,
    ) -> "DomainError":
        return cls([FieldError(code, message, field, retry_after_seconds=retry_after_seconds)])


class Overloaded(Exception):
    """The server is too busy to take this work now (the API answers TOO_MANY_REQUESTS,
    HTTP 429 with Retry-After); nothing was done, the client may retry."""

    def __init__(self, message: str, *, retry_after_seconds: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after_seconds = retry_after_seconds


class ErrorCollector:
    """Runs checks and keeps their errors, so the person sees every problem in one go."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def check(self, run: Callable[[], T]) -> T | None:
        try:
            return run()
        except FieldError as error:
            self.errors.append(error)
            return None

    async def check_async(self, run: Callable[[], Awaitable[T]]) -> T | None:
        try:
            return await run()
        except FieldError as error:
            self.errors.append(error)
            return None

    def add(self, code: ErrorCode, message: str, field: str) -> None:
        self.errors.append(FieldError(code, message, [field]))

    def raise_if_any(self) -> None:
        if self.errors:
            raise DomainError(self.errors)


class AuthenticationRequired(Exception):
    """The caller is not signed in (GraphQL error UNAUTHENTICATED)."""


class PermissionDenied(Exception):
    """The caller is signed in but lacks a permission (GraphQL error FORBIDDEN)."""

    code = "FORBIDDEN"


TWO_FACTOR_ENROLLMENT_REQUIRED_MESSAGE = (
    "Your practice requires two-factor sign-in for accounts that manage staff. "
    "Turn it on in Your account to continue."
)


class TwoFactorEnrollmentRequired(PermissionDenied):
    """The session must enrol in two-factor sign-in before using any permission."""

    code = "TWO_FACTOR_ENROLLMENT_REQUIRED"

    def __init__(self) -> None:
        super().__init__(TWO_FACTOR_ENROLLMENT_REQUIRED_MESSAGE)


PASSWORD_CHANGE_REQUIRED_MESSAGE = (
    "Your administrator requires a new password for this account. "
    "Choose one in Your account to continue."
)


class PasswordChangeRequired(PermissionDenied):
    """The session must choose a new password before using any permission."""

    code = "PASSWORD_CHANGE_REQUIRED"

    def __init__(self) -> None:
        super().__init__(PASSWORD_CHANGE_REQUIRED_MESSAGE)
