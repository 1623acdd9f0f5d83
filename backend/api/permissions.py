"""Access rules that sit on fields: signed in, and holding Manage Accounts."""

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from backend.api.context import Context
from backend.models import Permission
from backend.services.errors import (
    PASSWORD_CHANGE_REQUIRED_MESSAGE,
    TWO_FACTOR_ENROLLMENT_REQUIRED_MESSAGE,
    PasswordChangeRequired,
    TwoFactorEnrollmentRequired,
)


class IsAuthenticated(BasePermission):
    message = "Sign in to do this."
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012 (strawberry reads it)

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return info.context.viewer is not None


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
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 (strawberry reads it)

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
