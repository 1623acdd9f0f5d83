"""Adding and changing staff members."""

from datetime import datetime
from typing import Any
from uuid import UUID

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.mail import notices as notice_texts
from backend.models import StaffMember, StaffStatus
from backend.services import (
    account_power,
    activation_links,
    audit,
    login_locks,
    notices,
    validation,
)
from backend.services.caller import Access, Caller
from backend.services.errors import DomainError, ErrorCode, ErrorCollector, FieldError
from backend.services.managers import ensure_manager_remains
from backend.services.pin_hash import hash_pin
from backend.services.plans import claim_seat, lock_practice
from backend.services.secrets import hash_secret
from backend.services.staff_input import NewStaff, StaffFields
from backend.services.staff_rules import clean_staff_fields, search_text
from backend.webhooks import events as webhook_events
from backend.webhooks.payloads import Actor, EventType


async def create_staff(*, caller: Caller, data: NewStaff, settings: Settings) -> StaffMember:
    """Add a pending staff member and queue their activation email, atomically."""
    caller.require(Access.STAFF_WRITE)
    errors = ErrorCollector()
    values = await clean_staff_fields(data, practice_id=caller.practice_id, errors=errors)
    errors.check(
        lambda: validation.check_password(
            data.password, confirmation=data.password_confirmation, username=values.get("username")
        )
    )
    pin = errors.check(lambda: validation.clean_pin(data.app_unlock_pin))
    await _check_unique(values, errors, exclude=None)
    errors.raise_if_any()
    assert data.password is not None and pin is not None
    await account_power.check_staff_change(caller, new_role_id=values.get("role_id"))

    values["password_hash"] = await hash_secret(data.password, settings)
    values["pin_hash"] = hash_pin(pin, settings)
    return await _insert_pending(caller, values, errors, settings=settings)


async def provision_staff(
    *, caller: Caller, data: StaffFields, external_id: str | None, settings: Settings
) -> StaffMember:
    """Add a pending staff member for an identity provider (SCIM): every rule of a create
    except the secrets, which the person chooses when activating (the partner knows none)."""
    caller.require(Access.STAFF_WRITE)
    errors = ErrorCollector()
    values = await clean_staff_fields(data, practice_id=caller.practice_id, errors=errors)
    external_id = (external_id or "").strip() or None
    if external_id is not None and len(external_id) > 255:
        errors.add(ErrorCode.TOO_LONG, "Use at most 255 characters for externalId.", "externalId")
    values["external_id"] = external_id
    await _check_unique(values, errors, exclude=None, practice_id=caller.practice_id)
    errors.raise_if_any()
    await account_power.check_staff_change(caller, new_role_id=values.get("role_id"))
    return await _insert_pending(caller, values, errors, settings=settings)


async def _insert_pending(
    caller: Caller, values: dict[str, Any], errors: ErrorCollector, *, settings: Settings
) -> StaffMember:
    """Insert the checked values as a pending person, claim a seat and queue the
    activation email, atomically."""
    offices = values.pop("offices")
    staff = StaffMember(practice_id=caller.practice_id, status=StaffStatus.PENDING, **values)
    staff.search_text = search_text(staff)
    try:
        async with in_transaction() as connection:
            practice = await lock_practice(caller.practice_id, connection)
            await claim_seat(practice, connection)
            await staff.save(using_db=connection)
            await login_locks.link_account(
                staff.id, staff.username_key, settings, using_db=connection
            )
            if offices:
                await staff.offices.add(*offices, using_db=connection)
            await activation_links.issue(staff, practice, settings=settings, using_db=connection)
            await audit.record_by(caller, "staff.create", target_id=staff.id, using_db=connection)
            await webhook_events.record_staff(
                EventType.STAFF_CREATED, staff, Actor.of(caller), using_db=connection
            )
    except IntegrityError:
        # A concurrent request took the username or email between our check and the insert.
        await _check_unique(values, errors, exclude=None, practice_id=caller.practice_id)
        errors.raise_if_any()
        raise
    return staff


async def update_staff(
    *,
    caller: Caller,
    staff_id: UUID,
    data: StaffFields,
    settings: Settings,
    unchanged_since: datetime | None = None,
) -> StaffMember:
    """Change the given fields. `unchanged_since` (an If-Match): apply only if the record's
    updated_at is still that, compared under the lock, so two clients that read the same
    version cannot both write (a lost update); else CHANGED_SINCE_READ."""
    caller.require(Access.STAFF_WRITE)
    staff = await get_practice_staff(caller, staff_id)
    if (
        caller.staff_id == staff.id
        and "email" in data.provided()
        and not staff.email_update_enabled
    ):
        raise DomainError.single(
            ErrorCode.EMAIL_UPDATE_DISABLED,
            "Email updates are turned off for this account.",
            ["email"],
        )
    errors = ErrorCollector()
    values = await clean_staff_fields(
        data, practice_id=caller.practice_id, errors=errors, current=staff
    )
    await _check_unique(values, errors, exclude=staff.id)
    errors.raise_if_any()

    offices = values.pop("offices", None)
    try:
        async with in_transaction() as db:
            # Re-read under the practice lock and write only the given columns, so a
            # concurrent deactivation or activation is never overwritten by this edit.
            practice = await lock_practice(caller.practice_id, db)
            # The row lock too: writers that do not take the practice lock (a PIN, two-
            # factor sign-in) also move updated_at, and If-Match must see their change.
            staff = await StaffMember.select_for_update().using_db(db).get(id=staff.id)
            if unchanged_since is not None and staff.updated_at != unchanged_since:
                raise DomainError.single(
                    ErrorCode.CHANGED_SINCE_READ,
                    "The staff member has changed since that version. Read it again.",
                )
            changed = sorted(
                name for name, value in values.items() if getattr(staff, name) != value
            )
            # Under the practice lock: the person's role as it is now.
            await account_power.check_staff_change(
                caller,
                new_role_id=values["role_id"] if "role_id" in changed else None,
                current=staff,
                changed=changed,
                using_db=db,
            )
            old_email = staff.email
            if "role_id" in changed:
                await ensure_manager_remains(
                    practice.id, db, losing=staff.id, new_role_id=values["role_id"]
                )
            for name, value in values.items():
                setattr(staff, name, value)
            staff.search_text = search_text(staff)
            await (
                StaffMember.filter(id=staff.id)
                .using_db(db)
                .update(**values, search_text=staff.search_text)
            )
            if "username_key" in changed:
                await login_locks.link_account(staff.id, staff.username_key, settings, using_db=db)
            if offices is not None:
                await staff.offices.clear(using_db=db)
                if offices:
                    await staff.offices.add(*offices, using_db=db)
            if staff.status == StaffStatus.PENDING and {"email", "username"} & set(changed):
                # The old link went to the old address or named the old username.
                await activation_links.issue(staff, practice, settings=settings, using_db=db)
            if staff.status == StaffStatus.ACTIVE and "email" in changed:
                # Whoever changed it, the person hears of it where they read their mail.
                await notices.send(
                    staff,
                    notice_texts.email_changed(staff.email),
                    settings=settings,
                    recipient=old_email,
                    using_db=db,
                )
            await audit.record_by(
                caller, "staff.update", target_id=staff.id, details={"fields": changed}, using_db=db
            )
            if changed or offices is not None:
                await webhook_events.record_staff(
                    EventType.STAFF_UPDATED, staff, Actor.of(caller), using_db=db
                )
    except IntegrityError:
        await _check_unique(values, errors, exclude=staff.id)
        errors.raise_if_any()
        raise
    return staff


async def get_practice_staff(caller: Caller, staff_id: UUID) -> StaffMember:
    """A staff member of the caller's practice; another practice's answers as missing."""
    staff = await StaffMember.get_or_none(id=staff_id, practice_id=caller.practice_id)
    if staff is None:
        raise DomainError.single(ErrorCode.NOT_FOUND, "This staff member does not exist.", ["id"])
    return staff


async def _check_unique(
    values: dict[str, Any],
    errors: ErrorCollector,
    *,
    exclude: UUID | None,
    practice_id: UUID | None = None,
) -> None:
    checks = (
        ("username_key", "username", "This username is already taken. Choose another one."),
        ("email", "email", "This email is already used by another account."),
        ("external_id", "externalId", "This externalId is already used in your practice."),
    )
    for column, field, message in checks:
        value = values.get(column)
        if value is None:
            continue
        query = StaffMember.filter(**{column: value})
        if column == "external_id":  # unique per practice, not across the service
            query = query.filter(practice_id=practice_id)
        if exclude is not None:
            query = query.exclude(id=exclude)
        if await query.exists() and not any(e.field == (field,) for e in errors.errors):
            errors.errors.append(FieldError(ErrorCode.TAKEN, message, [field]))
