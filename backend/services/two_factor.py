"""Two-factor sign-in with TOTP (RFC 6238): enrolment, checking codes, disabling, reset.

The changes return the staff member as read before them (callers read it again with its
relations). The secret is stored Fernet-encrypted and never returned after enrolment starts. Each
accepted code moves `totp_last_step` forward in one conditional UPDATE, so a code (or an
older one) is accepted once only, even by concurrent requests. Recovery codes are stored
as SHA-256 digests and consumed by a conditional UPDATE (used_at is null)."""

import base64
import hmac
import io
import secrets
from datetime import UTC, datetime
from uuid import UUID

import pyotp
import segno
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.mail import notices as notice_texts
from backend.models import Permission, Practice, Role, Session, StaffMember, TwoFactorRecoveryCode
from backend.services import audit, notices
from backend.services.errors import DomainError, ErrorCode
from backend.services.password_check import confirm_current_password
from backend.services.secrets import token_digest
from backend.services.sessions import revoke_sessions
from backend.services.staff import get_practice_staff
from backend.services.totp_crypto import decrypt_secret, encrypt_secret
from backend.services.viewer import Viewer
from backend.webhooks import events as webhook_events
from backend.webhooks.payloads import Actor, EventType

ISSUER = "Staff Accounts"
RECOVERY_CODE_COUNT = 10
DRIFT_STEPS = 1  # one 30-second step either way
INVALID_CODE_MESSAGE = "The two-factor code is incorrect."


async def _own(viewer: Viewer) -> StaffMember:
    return await get_practice_staff(viewer, viewer.staff_id)


def _normalise_totp(code: str) -> str:
    return "".join((code or "").split())


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii")  # 16 chars, 80 bits
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (within the allowed drift) whose code this is, or None."""
    code = _normalise_totp(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def qr_code_svg(uri: str) -> str:
    """The provisioning URI as a QR code: an SVG data URL (`data:image/svg+xml;base64,...`)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m", micro=False).save(
        buffer, kind="svg", scale=4, border=4, xmldecl=False, dark="#000", light="#fff"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


async def enrollment_required(
    staff: StaffMember, using_db: BaseDBAsyncClient | None = None
) -> bool:
    """Whether the practice requires two-factor sign-in of this account (it holds Manage
    Accounts and the practice setting is on). Only meaningful while it is not enrolled."""
    required = (
        await Practice.filter(
            id=staff.practice_id,
            require_two_factor_for_managers=True,
        )
        .using_db(using_db)
        .exists()
    )
    if not required:
        return False
    role = await Role.get(id=staff.role_id, using_db=using_db)
    return role.has(Permission.MANAGE_ACCOUNTS)


async def enroll_start(
    *, viewer: Viewer, settings: Settings, account_label: str | None = None
) -> tuple[str, str]:
    """A new pending secret for the viewer: (provisioning URI, secret to type)."""
    label = (account_label or "").strip()
    if len(label) > 100:
        raise DomainError.single(
            ErrorCode.TOO_LONG, "Use at most 100 characters.", ["accountLabel"]
        )
    staff = await _own(viewer)
    if staff.two_factor_enabled:
        raise DomainError.single(
            ErrorCode.INVALID_TRANSITION,
            "Two-factor sign-in is already on. Turn it off first to enrol again.",
        )
    secret = pyotp.random_base32()
    updated = await StaffMember.filter(id=staff.id, two_factor_enabled=False).update(
        totp_secret_encrypted=encrypt_secret(secret, settings), totp_last_step=None
    )
    if updated != 1:
        raise DomainError.single(ErrorCode.INVALID_TRANSITION, "Two-factor sign-in is already on.")
    uri = pyotp.TOTP(secret).provisioning_uri(name=label or staff.username, issuer_name=ISSUER)
    return uri, secret


async def enroll_confirm(
    *, viewer: Viewer, code: str, settings: Settings
) -> tuple[StaffMember, list[str]]:
    """Complete enrolment with a correct code: returns the recovery codes, shown once."""
    staff = await _own(viewer)
    pending = staff.totp_secret_encrypted
    if staff.two_factor_enabled or not pending:
        raise DomainError.single(
            ErrorCode.INVALID_TRANSITION,
            "Start two-factor enrolment first."
            if not staff.two_factor_enabled
            else "Two-factor sign-in is already on.",
        )
    secret = decrypt_secret(pending, settings)
    step = matching_step(secret, code, datetime.now(UTC)) if secret else None
    if step is None:
        raise DomainError.single(ErrorCode.TWO_FACTOR_CODE_INVALID, INVALID_CODE_MESSAGE, ["code"])
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    async with in_transaction() as db:
        updated = (
            await StaffMember.filter(
                id=staff.id, two_factor_enabled=False, totp_secret_encrypted=pending
            )
            .using_db(db)
            .update(two_factor_enabled=True, totp_last_step=step)
        )
        if updated != 1:  # a concurrent confirm or a new enrolment start won
            raise DomainError.single(
                ErrorCode.INVALID_TRANSITION, "Enrolment changed meanwhile. Start again."
            )
        await TwoFactorRecoveryCode.filter(staff_id=staff.id).using_db(db).delete()
        await TwoFactorRecoveryCode.bulk_create(
            [
                TwoFactorRecoveryCode(
                    staff_id=staff.id, code_hash=token_digest(normalise_recovery_code(c))
                )
                for c in codes
            ],
            using_db=db,
        )
        # Sessions held back until enrolment (a practice requirement) are now full ones.
        await (
            Session.filter(staff_id=staff.id, two_factor_enrollment_required=True)
            .using_db(db)
            .update(two_factor_enrollment_required=False)
        )
        await audit.record_by(viewer, "auth.two_factor_enroll", target_id=staff.id, using_db=db)
        await _record_change(staff, viewer, db)
    return staff, codes


async def accept_login_code(
    staff: StaffMember,
    *,
    totp_code: str | None,
    recovery_code: str | None,
    settings: Settings,
    now: datetime,
) -> str | None:
    """Consume a TOTP or recovery code for sign-in. Returns which kind was used, or None."""
    if totp_code:
        secret = decrypt_secret(staff.totp_secret_encrypted or "", settings)
        step = matching_step(secret, totp_code, now) if secret else None
        if step is not None:
            updated = (
                await StaffMember.filter(id=staff.id, two_factor_enabled=True)
                .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
                .update(totp_last_step=step)
            )
            if updated == 1:
                return "totp"
        return None
    if recovery_code:
        digest = token_digest(normalise_recovery_code(recovery_code))
        used = await TwoFactorRecoveryCode.filter(
            staff_id=staff.id, code_hash=digest, used_at=None
        ).update(used_at=now)
        return "recovery_code" if used == 1 else None
    return None


async def _clear(staff_id: UUID, db: BaseDBAsyncClient) -> int:
    updated: int = (
        await StaffMember.filter(id=staff_id)
        .filter(Q(two_factor_enabled=True) | Q(totp_secret_encrypted__isnull=False))
        .using_db(db)
        .update(two_factor_enabled=False, totp_secret_encrypted=None, totp_last_step=None)
    )
    await TwoFactorRecoveryCode.filter(staff_id=staff_id).using_db(db).delete()
    return updated


async def disable(*, viewer: Viewer, current_password: str, settings: Settings) -> StaffMember:
    """The person turns two-factor sign-in off, proving it with their current password.
    Their other sessions end too: turning it off often follows a lost or untrusted device."""
    staff = await _own(viewer)
    # The rules first: no password is asked for (nor a wrong one counted) in vain.
    if not staff.two_factor_enabled:
        raise DomainError.single(ErrorCode.INVALID_TRANSITION, "Two-factor sign-in is not on.")
    if await enrollment_required(staff):
        raise DomainError.single(
            ErrorCode.INVALID_TRANSITION,
            "Your practice requires two-factor sign-in for accounts that manage staff, "
            "so it cannot be turned off.",
        )
    await confirm_current_password(
        viewer=viewer,
        staff=staff,
        password=current_password,
        settings=settings,
        action="auth.two_factor_disable",
    )
    async with in_transaction() as db:
        if await _clear(staff.id, db) != 1:
            raise DomainError.single(ErrorCode.INVALID_TRANSITION, "Two-factor sign-in is not on.")
        await revoke_sessions(staff.id, keep=viewer.session_id, using_db=db)
        await audit.record_by(viewer, "auth.two_factor_disable", target_id=staff.id, using_db=db)
        await _record_change(staff, viewer, db)
        await notices.send(
            staff,
            notice_texts.changed("Two-factor sign-in was turned off"),
            settings=settings,
            using_db=db,
        )
    return staff


async def reset(*, viewer: Viewer, staff_id: UUID, settings: Settings) -> StaffMember:
    """An administrator resets a staff member's two-factor sign-in: they must enrol again."""
    viewer.require(Permission.MANAGE_ACCOUNTS)
    staff = await get_practice_staff(viewer, staff_id)
    async with in_transaction() as db:
        if await _clear(staff.id, db) != 1:
            raise DomainError.single(
                ErrorCode.INVALID_TRANSITION,
                f"{staff.full_name} has no two-factor sign-in to reset.",
                ["id"],
            )
        # A reset usually follows a lost device: end the person's sessions too, in case one
        # is open on it (the administrator's own session survives resetting themselves).
        await revoke_sessions(staff.id, keep=viewer.session_id, using_db=db)
        await audit.record_by(viewer, "staff.reset_two_factor", target_id=staff.id, using_db=db)
        await _record_change(staff, viewer, db)
        await notices.send(
            staff,
            notice_texts.changed("Your administrator reset your two-factor sign-in"),
            settings=settings,
            using_db=db,
        )
    return staff


async def _record_change(staff: StaffMember, viewer: Viewer, db: BaseDBAsyncClient) -> None:
    # The row as this transaction left it (enrolled, or cleared).
    current = await StaffMember.filter(id=staff.id).using_db(db).get()
    await webhook_events.record_staff(
        EventType.STAFF_TWO_FACTOR_CHANGED, current, Actor.of(viewer), using_db=db
    )
