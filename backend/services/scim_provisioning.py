"""What SCIM adds to the staff lifecycle: `active` as one switch over the statuses, a
DELETE that deactivates and hides the person from SCIM (never a hard delete), a POST
that brings a hidden person back, and the identity provider's externalId.

Every transition is one of backend/services/lifecycle.py's, with its rules (seats, the
last manager, sessions revoked); this module only chooses which."""

from datetime import UTC, datetime
from uuid import UUID

from tortoise.exceptions import IntegrityError

from backend.config import Settings
from backend.models import StaffMember, StaffStatus
from backend.services import audit, lifecycle, validation
from backend.services.caller import Access, Caller
from backend.services.errors import DomainError, ErrorCode


async def scim_staff(caller: Caller, staff_id: UUID) -> StaffMember:
    """A staff member of the caller's practice that SCIM still shows; else NOT_FOUND."""
    caller.require(Access.STAFF_READ)
    staff = await StaffMember.get_or_none(
        id=staff_id, practice_id=caller.practice_id, scim_deleted_at=None
    )
    if staff is None:
        raise DomainError.single(ErrorCode.NOT_FOUND, "This user does not exist.", ["id"])
    return staff


async def set_active(
    *, caller: Caller, staff: StaffMember, active: bool, settings: Settings
) -> StaffMember:
    """`active: false` cancels a pending person's verification or deactivates an active
    one; `active: true` reactivates an inactive one (seats respected). A pending person
    already counts as active: nothing to do."""
    if active and staff.status == StaffStatus.INACTIVE:
        return await lifecycle.reactivate(caller=caller, staff_id=staff.id, settings=settings)
    if not active and staff.status == StaffStatus.PENDING:
        return await lifecycle.cancel_verification(caller=caller, staff_id=staff.id)
    if not active and staff.status == StaffStatus.ACTIVE:
        return await lifecycle.deactivate(caller=caller, staff_id=staff.id)
    return staff


async def scim_delete(*, caller: Caller, staff_id: UUID, settings: Settings) -> None:
    """Deactivate, then hide from SCIM. Idempotent up to the hiding, so a retry after a
    failure between the two finishes the job."""
    staff = await scim_staff(caller, staff_id)
    await set_active(caller=caller, staff=staff, active=False, settings=settings)
    hidden = await StaffMember.filter(id=staff.id, scim_deleted_at=None).update(
        scim_deleted_at=datetime.now(UTC)
    )
    if hidden:
        await audit.record_by(caller, "staff.scim_delete", target_id=staff.id)


async def restore_deleted(
    *, caller: Caller, username: str, settings: Settings
) -> StaffMember | None:
    """The person of this practice hidden by an earlier DELETE under this userName, shown
    again and reactivated (seats respected); None when there is none."""
    caller.require(Access.STAFF_WRITE)
    key = validation.username_key(username.strip())
    staff = await StaffMember.get_or_none(
        username_key=key, practice_id=caller.practice_id, scim_deleted_at__isnull=False
    )
    if staff is None:
        return None
    if staff.status == StaffStatus.INACTIVE:
        # First, so that a refused reactivation (no seat) leaves the person hidden.
        staff = await lifecycle.reactivate(caller=caller, staff_id=staff.id, settings=settings)
    await StaffMember.filter(id=staff.id).update(scim_deleted_at=None)
    await audit.record_by(caller, "staff.scim_restore", target_id=staff.id)
    staff.scim_deleted_at = None
    return staff


async def set_external_id(
    *, caller: Caller, staff: StaffMember, external_id: str | None
) -> StaffMember:
    caller.require(Access.STAFF_WRITE)
    value = (external_id or "").strip() or None
    if value == staff.external_id:
        return staff
    if value is not None and len(value) > 255:
        raise DomainError.single(
            ErrorCode.TOO_LONG, "Use at most 255 characters for externalId.", ["externalId"]
        )
    taken = DomainError.single(
        ErrorCode.TAKEN, "This externalId is already used in your practice.", ["externalId"]
    )
    if (
        value is not None
        and await StaffMember.filter(practice_id=caller.practice_id, external_id=value)
        .exclude(id=staff.id)
        .exists()
    ):
        raise taken
    try:
        await StaffMember.filter(id=staff.id).update(external_id=value)
    except IntegrityError:  # taken by a concurrent request since the check
        raise taken from None
    await audit.record_by(
        caller, "staff.update", target_id=staff.id, details={"fields": ["external_id"]}
    )
    staff.external_id = value
    return staff
