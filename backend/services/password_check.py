"""Re-checking the signed-in person's password before a sensitive change (PIN, 2FA).

A wrong password here is a guess like a failed sign-in: it is refused while the account's
sign-in limits apply, counted before it is checked, and audited as a failure of the
action. A right one counts as a successful sign-in (the account's count starts again)."""

from datetime import UTC, datetime

from backend.config import Settings
from backend.models import StaffMember
from backend.services import audit, throttle
from backend.services.errors import DomainError, ErrorCode
from backend.services.secrets import verify_secret
from backend.services.viewer import Viewer

INVALID_PASSWORD_MESSAGE = "The current password is incorrect."


async def confirm_current_password(
    *, viewer: Viewer, staff: StaffMember, password: str, settings: Settings, action: str
) -> None:
    keys = throttle.keys_for(staff.username_key, viewer.meta, settings)
    attempt = await throttle.reserve(keys, settings, datetime.now(UTC))
    if await verify_secret(staff.password_hash, password or "", settings):
        await attempt.succeeded()
        return
    await audit.record(
        action=action,
        outcome="FAILURE",
        practice_id=viewer.practice_id,
        actor_id=viewer.staff_id,
        target_id=viewer.staff_id,
        meta=viewer.meta,
    )
    await attempt.failed(staff=staff, meta=viewer.meta)
    raise DomainError.single(
        ErrorCode.INVALID_CREDENTIALS, INVALID_PASSWORD_MESSAGE, ["currentPassword"]
    )
