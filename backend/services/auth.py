"""Signing in and out. Every failure looks and takes the same, whatever its cause."""

from datetime import UTC, datetime

from backend.config import Settings
from backend.models import StaffMember, StaffStatus
from backend.services import audit, throttle, validation
from backend.services.errors import DomainError, ErrorCode
from backend.services.secrets import verify_secret
from backend.services.sessions import IssuedSession, end_session, start_session
from backend.services.viewer import RequestMeta, Viewer

INVALID_CREDENTIALS_MESSAGE = "The username or password is incorrect."


async def login(
    *, username: str, password: str, settings: Settings, meta: RequestMeta
) -> tuple[StaffMember, IssuedSession]:
    key = validation.username_key((username or "").strip())
    staff = await StaffMember.get_or_none(username_key=key) if key else None
    # Counted per username key whether or not the account exists: the limits, their
    # errors and their timing are the same for unknown names.
    keys = throttle.keys_for(key, meta)
    now = datetime.now(UTC)
    try:
        await throttle.check_allowed(keys, settings, now)
    except DomainError as refused:
        # Every call counts, refused ones too: aliases or retries cannot go uncounted.
        await _fail(staff, keys, settings, now, meta, refused=refused.errors[0].code.value)
        raise
    # Always run one argon2 verification (a dummy one for an unknown name), so that an
    # unknown, pending or deactivated username takes as long as a wrong password.
    matched = await verify_secret(staff.password_hash if staff else None, password or "", settings)
    if staff is None or not matched or staff.status != StaffStatus.ACTIVE:
        await _fail(staff, keys, settings, now, meta)
        raise DomainError.single(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE)
    await throttle.record_success(keys)
    issued = await start_session(staff, settings=settings, meta=meta)
    await audit.record(
        action="auth.login",
        practice_id=staff.practice_id,  # type: ignore[attr-defined]
        actor_id=staff.id,
        target_id=staff.id,
        meta=meta,
    )
    return staff, issued


async def _fail(
    staff: StaffMember | None,
    keys: throttle.Keys,
    settings: Settings,
    now: datetime,
    meta: RequestMeta,
    *,
    refused: str | None = None,
) -> None:
    await audit.record(
        action="auth.login",
        outcome="FAILURE",
        practice_id=staff.practice_id if staff else None,  # type: ignore[attr-defined]
        actor_id=None,
        target_id=staff.id if staff else None,
        meta=meta,
        details={"refused": refused} if refused else None,
    )
    await throttle.record_failure(keys, settings, now, staff=staff, meta=meta)


async def logout(viewer: Viewer, *, everywhere: bool = False) -> None:
    await end_session(viewer, everywhere=everywhere)
    await audit.record_by(
        viewer, "auth.logout", target_id=viewer.staff_id, details={"everywhere": everywhere}
    )
