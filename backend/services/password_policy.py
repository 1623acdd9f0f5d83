"""The rules of a person's new password, the same at activation, change and reset:
length, the common-password list, not containing the username, not the current one."""

from backend.config import Settings
from backend.models import StaffMember
from backend.services import hashing, validation
from backend.services.errors import ErrorCode, ErrorCollector
from backend.services.secrets import verify_secret

SAME_AS_CURRENT_MESSAGE = "Choose a password different from your current one."


async def check_new_password(
    staff: StaffMember,
    *,
    new_password: str,
    confirmation: str,
    settings: Settings,
    lane: hashing.Lane | None = None,
) -> None:
    """Raises DomainError with every problem found."""
    errors = ErrorCollector()
    errors.check(
        lambda: validation.check_password(
            new_password,
            confirmation=confirmation,
            username=staff.username,
            field="newPassword",
            confirmation_field="newPasswordConfirmation",
        )
    )
    # Only an otherwise acceptable password costs the verification against the current hash.
    if not errors.errors and await verify_secret(
        staff.password_hash, new_password, settings, lane=lane
    ):
        errors.add(ErrorCode.PASSWORD_REUSED, SAME_AS_CURRENT_MESSAGE, "newPassword")
    errors.raise_if_any()
