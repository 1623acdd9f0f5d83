"""Access rules that sit on fields: signed in, and holding Manage Accounts."""

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from backend.models import Permission


class IsAuthenticated(BasePermission):
    message = "Sign in to do this."
    error_extensions = {"code": "UNAUTHENTICATED"}  # noqa: RUF012 (strawberry reads it)

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer is not None


class CanManageAccounts(BasePermission):
    message = "Your role does not have the Manage Accounts permission."
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 (strawberry reads it)

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = info.context.viewer
        return viewer is not None and viewer.can(Permission.MANAGE_ACCOUNTS)


# Checked in order: a signed-out caller hears UNAUTHENTICATED, not FORBIDDEN.
MANAGERS_ONLY: list[type[BasePermission]] = [IsAuthenticated, CanManageAccounts]
