"""Access rules that sit on fields: a person signed in, holding Manage Accounts; or any
caller (a person or an API client) allowed an Access, checked by the caller itself
(backend/services/caller.py), as the services check it again."""

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import CodedError
from backend.models import Permission
from backend.services.caller import PEOPLE_ONLY_MESSAGE, Access, missing_scope_message
from backend.services.errors import (
    PASSWORD_CHANGE_REQUIRED_MESSAGE,
    TWO_FACTOR_ENROLLMENT_REQUIRED_MESSAGE,
    PasswordChangeRequired,
    TwoFactorEnrollmentRequired,
)

FORBIDDEN = "FORBIDDEN"


class IsAuthenticated(BasePermission):
    """A person is signed in. An API client hears FORBIDDEN: the field is for people."""

    message = "Sign in to do this."
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012 (strawberry reads it)

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        if info.context.api_client is not None:
            raise CodedError(PEOPLE_ONLY_MESSAGE, FORBIDDEN)
        return info.context.viewer is not None


class HasCaller(BasePermission):
    """A person or an API client is calling."""

    message = "Sign in to do this."
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012 (strawberry reads it)

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return info.context.caller is not None


class TwoFactorEnrolled(BasePermission):
    """Refuses sessions that must first enrol in two-factor sign-in (a practice setting)."""

    message = TWO_FACTOR_ENROLLMENT_REQUIRED_MESSAGE
    error_extensions = {"code": TwoFactorEnrollmentRequired.code}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        viewer = info.context.viewer
        return viewer is None or not viewer.two_factor_enrollment_required


class PasswordChosen(BasePermission):
    """Refuses sessions held until the person chooses a new password (an administrator
    required one)."""

    message = PASSWORD_CHANGE_REQUIRED_MESSAGE
    error_extensions = {"code": PasswordChangeRequired.code}  # noqa: RUF012

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        viewer = info.context.viewer
        return viewer is None or not viewer.password_change_required


class CanManageAccounts(BasePermission):
    message = "Your role does not have the Manage Accounts permission."
    error_extensions = {"code": FORBIDDEN}  # noqa: RUF012 (strawberry reads it)

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        viewer = info.context.viewer
        return viewer is not None and viewer.can(Permission.MANAGE_ACCOUNTS)


# Checked in order: a signed-out caller hears UNAUTHENTICATED, not FORBIDDEN, and a
# manager who must enrol hears why rather than that their role lacks the permission.
MANAGERS_ONLY: list[type[BasePermission]] = [
    IsAuthenticated,
    PasswordChosen,
    TwoFactorEnrolled,
    CanManageAccounts,
]


def allowing(access: Access) -> list[type[BasePermission]]:
    """For fields that people and API clients may both use: as MANAGERS_ONLY for a person
    (or just signed in, when the access needs no permission); the scope for a client."""

    class Allowed(BasePermission):
        message = CanManageAccounts.message
        error_extensions = {"code": FORBIDDEN}  # noqa: RUF012 (strawberry reads it)

        def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
            client = info.context.api_client
            if client is not None and not client.can(access):
                raise CodedError(missing_scope_message(access.scope), FORBIDDEN)
            caller = info.context.caller
            return caller is not None and caller.can(access)

    Allowed.__name__ = f"Allowed{access.name.title().replace('_', '')}"
    if access.permission is None:
        # Held for a new password, a session can do nothing else; held for two-factor
        # enrolment it may still read what needs no permission.
        return [HasCaller, PasswordChosen, Allowed]
    return [HasCaller, PasswordChosen, TwoFactorEnrolled, Allowed]
