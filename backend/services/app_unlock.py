"""The mobile app's unlock PIN: unlocking a bearer session the app locked after
inactivity, changing one's own PIN, and an administrator setting a staff member's PIN.

PIN failures are counted per session in the sign-in throttle table (key "pin:<session
id>", so no table of its own). Each attempt is counted *before* the PIN is checked, with
a single UPDATE (failures = failures + 1): concurrent or aliased attempts cannot go
uncounted, and at most PIN_ATTEMPTS PINs are ever checked on one session between two
correct ones. At the limit the session is revoked: a full sign-in is needed."""

from datetime import UTC, datetime
from uuid import UUID

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.mail import notices as notice_texts
from backend.models import LoginThrottle, Permission, Session, StaffMember
from backend.services import audit, notices, throttle, validation
from backend.services.errors import DomainError, ErrorCode, FieldError, PermissionDenied
from backend.services.password_check import confirm_current_password
from backend.services.pin_hash import hash_pin, verify_pin
from backend.services.sessions import end_session
from backend.services.staff import get_practice_staff
from backend.services.viewer import AuthMethod, Viewer

PIN_ATTEMPTS = 10
INVALID_PIN_MESSAGE = "The PIN is incorrect."
SESSION_REVOKED_MESSAGE = (
    "Too many incorrect PINs: this session has ended. Sign in again with username and password."
)


class PinRejected(DomainError):
    """A wrong PIN, with the attempts left before the session is revoked."""

    def __init__(self, remaining_attempts: int) -> None:
        message = f"{INVALID_PIN_MESSAGE} {_attempts_left(remaining_attempts)}"
        super().__init__([FieldError(ErrorCode.INVALID_PIN, message, ["pin"])])
        self.remaining_attempts = remaining_attempts


def pin_key(session_id: UUID) -> str:
    return f"pin:{session_id}"


BEARER_ONLY_MESSAGE = (
    "appUnlock is for the mobile app: send the session as an Authorization: Bearer token."
)


def pin_lock_applies(viewer: Viewer) -> bool:
    """The app's PIN lock guards bearer sessions (the mobile app); browsers' cookie
    sessions have none."""
    return viewer.meta.auth_method == AuthMethod.BEARER_SESSION and viewer.session_id is not None


async def unlock(*, viewer: Viewer, pin: str, settings: Settings) -> int:
    """Check the PIN for the viewer's session; on success refresh its idle timer and return
    the attempts now available. Raises PinRejected, or SESSION_REVOKED at the limit."""
    session_id = viewer.session_id
    if session_id is None or not pin_lock_applies(viewer):  # the API refuses these first
        raise PermissionDenied(BEARER_ONLY_MESSAGE)
    key = pin_key(session_id)
    now = datetime.now(UTC)
    # The viewer was resolved once for the whole request: an earlier alias may have
    # revoked the session (or signed out) since.
    if not await Session.exists(id=session_id, revoked_at=None):
        raise _revoked()
    ordinal = await _count_attempt(key, now)
    if ordinal > PIN_ATTEMPTS:  # the limit was reached by concurrent attempts: no check
        await _revoke(viewer, key, now)
        raise _revoked()
    staff = await StaffMember.get(id=viewer.staff_id)
    # Active people have a PIN (a database check); no hash matches no PIN anyway.
    check = await verify_pin(staff.pin_hash or "", pin or "", settings)
    if check.matched:
        await LoginThrottle.filter(key=key).update(failures=0, last_failure_at=None)
        if check.needs_rehash:
            # An argon2 or older-key hash: the PIN is known right now, so store it the
            # current way. Only over the hash just checked: a concurrent change wins.
            await StaffMember.filter(id=staff.id, pin_hash=staff.pin_hash).update(
                pin_hash=hash_pin(pin, settings)
            )
        await Session.filter(id=session_id, revoked_at=None).update(last_seen_at=now)
        await audit.record_by(viewer, "auth.app_unlock", target_id=viewer.staff_id)
        return PIN_ATTEMPTS
    failures = await _failures(key)
    await audit.record(
        action="auth.app_unlock",
        outcome="FAILURE",
        practice_id=viewer.practice_id,
        actor_id=viewer.staff_id,
        target_id=viewer.staff_id,
        meta=viewer.meta,
        details={"failures": failures},
    )
    if failures >= PIN_ATTEMPTS:
        await _revoke(viewer, key, now)
        raise _revoked()
    raise PinRejected(PIN_ATTEMPTS - failures)


async def change_own_pin(
    *, viewer: Viewer, current_password: str, new_pin: str, settings: Settings
) -> None:
    """The signed-in person sets a new PIN, proving who they are with their password.
    Wrong passwords count against the account's sign-in limits, like failed sign-ins."""
    pin = _clean(new_pin, field="newPin")
    staff = await StaffMember.get(id=viewer.staff_id)
    await confirm_current_password(
        viewer=viewer,
        staff=staff,
        password=current_password,
        settings=settings,
        action="auth.pin_change",
    )
    pin_hash = hash_pin(pin, settings)
    async with in_transaction() as db:
        await StaffMember.filter(id=staff.id).using_db(db).update(pin_hash=pin_hash)
        await audit.record_by(viewer, "auth.pin_change", target_id=staff.id, using_db=db)


async def set_staff_pin(
    *, viewer: Viewer, staff_id: UUID, pin: str, settings: Settings
) -> StaffMember:
    """A Manage Accounts holder sets the PIN of a staff member of their practice."""
    viewer.require(Permission.MANAGE_ACCOUNTS)
    staff = await get_practice_staff(viewer, staff_id)
    clean = _clean(pin, field="pin")
    pin_hash = hash_pin(clean, settings)
    async with in_transaction() as db:
        await StaffMember.filter(id=staff.id).using_db(db).update(pin_hash=pin_hash)
        await audit.record_by(viewer, "staff.set_pin", target_id=staff.id, using_db=db)
        await notices.send(
            staff,
            notice_texts.changed("Your administrator set a new app unlock PIN"),
            settings=settings,
            using_db=db,
        )
    return staff


def _clean(pin: str, *, field: str) -> str:
    try:
        return validation.clean_pin(pin, field=field)
    except FieldError as error:
        raise DomainError([error]) from None


async def _count_attempt(key: str, now: datetime) -> int:
    """Count one attempt atomically and return the count seen just after it (at least
    this attempt's own rank, so the limit is never exceeded by racing attempts)."""
    await throttle.increment(key, now)
    return await _failures(key)


async def _failures(key: str) -> int:
    row = await LoginThrottle.get_or_none(key=key)
    return row.failures if row else 0


async def _revoke(viewer: Viewer, key: str, now: datetime) -> None:
    await end_session(viewer)
    locked = (
        await LoginThrottle.filter(key=key, locked_at=None, failures__gte=PIN_ATTEMPTS).update(
            locked_at=now
        )
    ) == 1
    if locked:  # only the attempt that set locked_at records the event
        await audit.record_by(
            viewer,
            "auth.pin_lock",
            target_id=viewer.staff_id,
            details={"failures": PIN_ATTEMPTS, "sessionId": str(viewer.session_id)},
        )


def _revoked() -> DomainError:
    return DomainError.single(ErrorCode.SESSION_REVOKED, SESSION_REVOKED_MESSAGE)


def _attempts_left(remaining: int) -> str:
    if remaining == 1:
        return "1 attempt is left before you must sign in again."
    return f"{remaining} attempts are left before you must sign in again."
