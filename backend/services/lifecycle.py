"""The staff lifecycle of DESIGN.md §4: resend, cancel, deactivate, reactivate.

Every transition is a conditional update on the expected status, inside a transaction
that holds the practice lock, so concurrent requests cannot apply it twice."""

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import cast
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import AuditEvent, Practice, StaffMember, StaffStatus
from backend.services import activation_links, audit
from backend.services.caller import Access, Caller
from backend.services.errors import DomainError, ErrorCode
from backend.services.managers import ensure_manager_remains
from backend.services.plans import claim_seat, lock_practice
from backend.services.sessions import revoke_sessions
from backend.webhooks import events as webhook_events
from backend.webhooks.payloads import Actor, EventType

RESEND_WINDOW = timedelta(hours=1)

_STATUS_WORDS = {
    StaffStatus.PENDING: "pending",
    StaffStatus.ACTIVE: "active",
    StaffStatus.INACTIVE: "inactive",
}


async def resend_activation(*, caller: Caller, staff_id: UUID, settings: Settings) -> StaffMember:
    """A new link for a pending person; every older link stops working."""
    async with _locked_staff(caller, staff_id) as (staff, practice, db):
        _require_status(staff, StaffStatus.PENDING, "resend the activation email to")
        await _check_resend_limit(staff, settings, db)
        await activation_links.issue(staff, practice, settings=settings, using_db=db)
        await audit.record_by(caller, "staff.resend_activation", target_id=staff.id, using_db=db)
        await _record(EventType.STAFF_ACTIVATION_RESENT, staff, caller, db)
    return staff


async def _check_resend_limit(
    staff: StaffMember, settings: Settings, db: BaseDBAsyncClient
) -> None:
    """At most `resend_limit_per_hour` resends per staff member in any rolling hour.

    Counted from the audit trail inside the transaction that holds the practice lock,
    so concurrent resends cannot both pass the check."""
    now = datetime.now(UTC)
    recent = (
        await AuditEvent.filter(
            action="staff.resend_activation",
            target_id=str(staff.id),
            outcome="SUCCESS",
            created_at__gt=now - RESEND_WINDOW,
        )
        .using_db(db)
        .order_by("-created_at")
        .limit(settings.resend_limit_per_hour)
        .values_list("created_at", flat=True)
    )
    if len(recent) < settings.resend_limit_per_hour:
        return
    # The oldest of the last `limit` resends leaves the window first.
    oldest = cast(datetime, recent[-1])  # newest first
    wait = max(1, math.ceil((oldest + RESEND_WINDOW - now).total_seconds()))
    minutes = math.ceil(wait / 60)
    raise DomainError.single(
        ErrorCode.RATE_LIMITED,
        f"The activation email was resent {settings.resend_limit_per_hour} times in the last "
        f"hour. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        ["id"],
        retry_after_seconds=wait,
    )


async def cancel_verification(*, caller: Caller, staff_id: UUID) -> StaffMember:
    async with _locked_staff(caller, staff_id) as (staff, _practice, db):
        await _move(
            staff, StaffStatus.PENDING, StaffStatus.INACTIVE, "cancel the verification of", db
        )
        await activation_links.revoke_all(staff.id, using_db=db)
        await audit.record_by(caller, "staff.cancel_verification", target_id=staff.id, using_db=db)
        await _record(EventType.STAFF_VERIFICATION_CANCELLED, staff, caller, db)
    return staff


async def deactivate(*, caller: Caller, staff_id: UUID) -> StaffMember:
    if staff_id == caller.staff_id:
        raise DomainError.single(
            ErrorCode.CANNOT_DEACTIVATE_SELF,
            "You cannot deactivate your own account. Ask another administrator.",
            ["id"],
        )
    async with _locked_staff(caller, staff_id) as (staff, practice, db):
        _require_status(staff, StaffStatus.ACTIVE, "deactivate")
        await ensure_manager_remains(practice.id, db, losing=staff.id)
        await _move(staff, StaffStatus.ACTIVE, StaffStatus.INACTIVE, "deactivate", db)
        # Deactivation ends every session of the person at once.
        await revoke_sessions(staff.id, using_db=db)
        await activation_links.revoke_all(staff.id, using_db=db)
        await audit.record_by(caller, "staff.deactivate", target_id=staff.id, using_db=db)
        await _record(EventType.STAFF_DEACTIVATED, staff, caller, db)
    return staff


async def reactivate(*, caller: Caller, staff_id: UUID, settings: Settings) -> StaffMember:
    """Back to active if the person activated before; otherwise pending with a new link."""
    async with _locked_staff(caller, staff_id) as (staff, practice, db):
        _require_status(staff, StaffStatus.INACTIVE, "reactivate")
        await claim_seat(practice, db)
        if staff.activated_at is not None:
            await _move(staff, StaffStatus.INACTIVE, StaffStatus.ACTIVE, "reactivate", db)
        else:
            await _move(staff, StaffStatus.INACTIVE, StaffStatus.PENDING, "reactivate", db)
            await activation_links.issue(staff, practice, settings=settings, using_db=db)
        await audit.record_by(
            caller,
            "staff.reactivate",
            target_id=staff.id,
            details={"status": staff.status.value},
            using_db=db,
        )
        await _record(EventType.STAFF_REACTIVATED, staff, caller, db)
    return staff


async def _record(
    type: EventType, staff: StaffMember, caller: Caller, db: BaseDBAsyncClient
) -> None:
    # The row as the transition left it (_move updates the columns, not the object).
    current = await StaffMember.filter(id=staff.id).using_db(db).get()
    await webhook_events.record_staff(type, current, Actor.of(caller), using_db=db)


@asynccontextmanager
async def _locked_staff(
    caller: Caller, staff_id: UUID
) -> AsyncIterator[tuple[StaffMember, Practice, BaseDBAsyncClient]]:
    """The staff member, inside a transaction that holds the practice lock."""
    caller.require(Access.STAFF_WRITE)
    async with in_transaction() as db:
        practice = await lock_practice(caller.practice_id, db)
        staff = await StaffMember.filter(id=staff_id, practice_id=practice.id).using_db(db).first()
        if staff is None:
            raise DomainError.single(
                ErrorCode.NOT_FOUND, "This staff member does not exist.", ["id"]
            )
        yield staff, practice, db


def _require_status(staff: StaffMember, expected: StaffStatus, verb: str) -> None:
    if staff.status != expected:
        raise DomainError.single(
            ErrorCode.INVALID_TRANSITION,
            f"You can only {verb} {_STATUS_WORDS[expected]} staff; "
            f"{staff.full_name} is {_STATUS_WORDS[staff.status]}.",
            ["id"],
        )


async def _move(
    staff: StaffMember, expected: StaffStatus, new: StaffStatus, verb: str, db: BaseDBAsyncClient
) -> None:
    _require_status(staff, expected, verb)
    now = datetime.now(UTC)
    changes: dict[str, object] = {"status": new}
    if new == StaffStatus.INACTIVE:
        changes["deactivated_at"] = now
    updated = await StaffMember.filter(id=staff.id, status=expected).using_db(db).update(**changes)
    if updated != 1:  # changed by a concurrent request since we read it
        raise DomainError.single(
            ErrorCode.INVALID_TRANSITION,
            f"{staff.full_name} was changed meanwhile. Reload.",
            ["id"],
        )
    for name, value in changes.items():
        setattr(staff, name, value)
