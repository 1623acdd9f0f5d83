"""Signing in and out. Every failure looks and takes the same, whatever its cause."""

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

from backend.config import Settings
from backend.models import StaffMember, StaffStatus
from backend.services import audit, hashing, throttle, two_factor, validation
from backend.services.errors import DomainError, ErrorCode
from backend.services.secrets import hash_secret, needs_rehash, verify_secret
from backend.services.sessions import IssuedSession, end_session, start_session
from backend.services.viewer import AuthMethod, RequestMeta, Viewer

INVALID_CREDENTIALS_MESSAGE = "The username or password is incorrect."
TWO_FACTOR_REQUIRED_MESSAGE = "Enter the code from your authenticator app, or a recovery code."


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    totp_code: str | None = None
    recovery_code: str | None = None


async def login(
    *, credentials: Credentials, settings: Settings, meta: RequestMeta, bearer: bool = False
) -> tuple[StaffMember, IssuedSession]:
    """Sign in; a `bearer` session (the mobile app) also gets access and refresh tokens."""
    # A sign-in is authenticated by its password, whatever session the caller may hold.
    meta = dataclasses.replace(meta, auth_method=AuthMethod.PASSWORD)
    async with hashing.anonymous_work(settings) as lane:
        return await _login(credentials, settings, meta, lane, bearer)


async def _login(
    credentials: Credentials,
    settings: Settings,
    meta: RequestMeta,
    lane: hashing.Lane,
    bearer: bool,
) -> tuple[StaffMember, IssuedSession]:
    username, password = credentials.username, credentials.password
    totp_code, recovery_code = credentials.totp_code, credentials.recovery_code
    key = validation.username_key((username or "").strip())
    # No account has a longer name, and the database would refuse to look one up.
    known = key and len(key) <= validation.USERNAME_MAX_LENGTH
    staff = await StaffMember.get_or_none(username_key=key) if known else None
    # Counted per username key whether or not the account exists: the limits, their
    # errors and their timing are the same for unknown names.
    keys = throttle.keys_for(key, meta, settings)
    now = datetime.now(UTC)
    try:
        attempt = await throttle.reserve(keys, settings, now)
    except DomainError as refused:
        await _audit_failure(staff, meta, refused=refused.errors[0].code.value)
        raise
    # Always run one argon2 verification (a dummy one for an unknown name), so that an
    # unknown, pending or deactivated username takes as long as a wrong password.
    matched = await verify_secret(
        staff.password_hash if staff else None, password or "", settings, lane=lane
    )
    if staff is None or not matched or staff.status != StaffStatus.ACTIVE:
        await _fail(attempt, staff, meta)
        raise DomainError.single(ErrorCode.INVALID_CREDENTIALS, INVALID_CREDENTIALS_MESSAGE)
    second_factor = None
    if staff.two_factor_enabled:
        if not (totp_code or recovery_code):
            # The password was right: the attempt is neither a failure nor a success
            # (else password-only attempts could wipe failed code attempts).
            await attempt.released()
            await _audit_failure(staff, meta, refused=ErrorCode.TWO_FACTOR_REQUIRED.value)
            raise DomainError.single(ErrorCode.TWO_FACTOR_REQUIRED, TWO_FACTOR_REQUIRED_MESSAGE)
        second_factor = await two_factor.accept_login_code(
            staff, totp_code=totp_code, recovery_code=recovery_code, settings=settings, now=now
        )
        if second_factor is None:  # wrong, replayed or already used: a failed attempt
            await _fail(attempt, staff, meta, refused="TWO_FACTOR_CODE")
            raise DomainError.single(ErrorCode.INVALID_CREDENTIALS, two_factor.INVALID_CODE_MESSAGE)
    await attempt.succeeded()
    # (The hash just matched, so it is there: only pending SCIM people have none.)
    if staff.password_hash and needs_rehash(staff.password_hash, settings):
        new_hash = await hash_secret(password, settings, lane=lane)
        # Only over the hash just checked: a password changed meanwhile wins.
        await StaffMember.filter(id=staff.id, password_hash=staff.password_hash).update(
            password_hash=new_hash
        )
    # The practice may require this account to enrol first: the session is held back
    # to enrolment until it does.
    must_enroll = not staff.two_factor_enabled and await two_factor.enrollment_required(staff)
    issued = await start_session(
        staff,
        settings=settings,
        meta=meta,
        two_factor_enrollment_required=must_enroll,
        password_change_required=staff.password_change_required,
        bearer=bearer,
    )
    await StaffMember.filter(id=staff.id).update(last_sign_in_at=issued.session.created_at)
    details: dict[str, object] = {}
    if second_factor:
        details["second_factor"] = second_factor
    if must_enroll:
        details["two_factor_enrollment_required"] = True
    if staff.password_change_required:
        details["password_change_required"] = True
    await audit.record_own(staff, "auth.login", meta=meta, details=details or None)
    return staff, issued


async def _fail(
    attempt: throttle.Attempt,
    staff: StaffMember | None,
    meta: RequestMeta,
    *,
    refused: str | None = None,
) -> None:
    await _audit_failure(staff, meta, refused=refused)
    await attempt.failed(staff=staff, meta=meta)


async def _audit_failure(
    staff: StaffMember | None, meta: RequestMeta, *, refused: str | None = None
) -> None:
    await audit.record(
        action="auth.login",
        outcome="FAILURE",
        practice_id=staff.practice_id if staff else None,
        actor_id=None,
        target_id=staff.id if staff else None,
        meta=meta,
        details={"refused": refused} if refused else None,
    )


async def logout(viewer: Viewer, *, everywhere: bool = False) -> None:
    await end_session(viewer, everywhere=everywhere)
    await audit.record_by(
        viewer, "auth.logout", target_id=viewer.staff_id, details={"everywhere": everywhere}
    )
