"""What an administrator (Manage Accounts) does to a person's sign-in: send a password
reset, require a new password at the next sign-in, sign them out everywhere."""

from uuid import UUID

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import Permission, StaffMember, StaffStatus
from backend.services import audit
from backend.services.errors import DomainError, ErrorCode
from backend.services.password_reset import issue_reset_email
from backend.services.sessions import revoke_sessions
from backend.services.staff import get_practice_staff
from backend.services.viewer import Viewer


async def _active_staff(viewer: Viewer, staff_id: UUID, action: str) -> StaffMember:
    viewer.require(Permission.MANAGE_ACCOUNTS)
    staff = await get_practice_staff(viewer, staff_id)
    if staff.status != StaffStatus.ACTIVE:
        raise DomainError.single(
            ErrorCode.INVALID_TRANSITION,
            f"{staff.full_name} is not active: {action} applies to active staff only.",
            ["id"],
        )
    return staff


async def send_password_reset(*, viewer: Viewer, staff_id: UUID, settings: Settings) -> StaffMember:
    staff = await _active_staff(viewer, staff_id, "a password reset")
    async with in_transaction() as db:
        await issue_reset_email(staff, settings=settings, using_db=db)
        await audit.record_by(viewer, "staff.send_password_reset", target_id=staff.id, using_db=db)
    return staff


async def require_password_change(*, viewer: Viewer, staff_id: UUID) -> StaffMember:
    """Okta's expire-password: sessions end, and the next sign-in is held to choosing one."""
    staff = await _active_staff(viewer, staff_id, "requiring a new password")
    async with in_transaction() as db:
        await StaffMember.filter(id=staff.id).using_db(db).update(password_change_required=True)
        # The administrator's own session survives requiring it of themselves.
        await revoke_sessions(staff.id, keep=viewer.session_id, using_db=db)
        await audit.record_by(
            viewer, "staff.require_password_change", target_id=staff.id, using_db=db
        )
    return staff


async def sign_out_everywhere(*, viewer: Viewer, staff_id: UUID) -> StaffMember:
    viewer.require(Permission.MANAGE_ACCOUNTS)
    staff = await get_practice_staff(viewer, staff_id)
    async with in_transaction() as db:
        await revoke_sessions(staff.id, keep=viewer.session_id, using_db=db)
        await audit.record_by(viewer, "staff.sign_out_everywhere", target_id=staff.id, using_db=db)
    return staff
