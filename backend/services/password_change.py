"""A signed-in person changes their own password.

The current password is a guess like a sign-in's (counted before it is checked, see
password_check). Other sessions end, the current one stays (and, if it was held for a
required password change, is freed); outstanding reset links are revoked; audited, and
the person is told by email."""

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.mail import notices as notice_texts
from backend.models import AccountTokenPurpose, Session, StaffMember
from backend.services import account_tokens, audit, notices
from backend.services.errors import DomainError, ErrorCode
from backend.services.password_check import confirm_current_password
from backend.services.password_policy import check_new_password
from backend.services.secrets import hash_secret
from backend.services.sessions import revoke_sessions
from backend.services.staff import get_practice_staff
from backend.services.viewer import Viewer


async def change_password(
    *,
    viewer: Viewer,
    current_password: str,
    new_password: str,
    new_password_confirmation: str,
    settings: Settings,
) -> StaffMember:
    staff = await get_practice_staff(viewer, viewer.staff_id)
    await confirm_current_password(
        viewer=viewer,
        staff=staff,
        password=current_password,
        settings=settings,
        action="auth.password_change",
    )
    await check_new_password(
        staff,
        new_password=new_password,
        confirmation=new_password_confirmation,
        settings=settings,
    )
    new_hash = await hash_secret(new_password, settings)
    async with in_transaction() as db:
        # Only over the hash just checked: a concurrent change or reset wins.
        changed = (
            await StaffMember.filter(id=staff.id, password_hash=staff.password_hash)
            .using_db(db)
            .update(
                password_hash=new_hash,
                password_change_required=False,
                updated_at=datetime.now(UTC),
            )
        )
        if changed != 1:
            raise DomainError.single(
                ErrorCode.INVALID_TRANSITION,
                "Your password was changed meanwhile. Sign in again.",
            )
        await revoke_sessions(staff.id, keep=viewer.session_id, using_db=db)
        if viewer.session_id is not None:
            await (
                Session.filter(id=viewer.session_id)
                .using_db(db)
                .update(password_change_required=False)
            )
        await account_tokens.revoke(
            staff_id=staff.id, purpose=AccountTokenPurpose.PASSWORD_RESET, using_db=db
        )
        await audit.record_by(viewer, "auth.password_change", target_id=staff.id, using_db=db)
        await notices.send(
            staff,
            notice_texts.changed("Your password was changed"),
            settings=settings,
            using_db=db,
        )
    return staff
