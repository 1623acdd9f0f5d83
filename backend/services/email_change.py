"""A person changes their own email address, when their account allows it (Enable email
update): the new address gets a confirmation link; until it is confirmed the old one stays
in force. Uniqueness is checked at the request and again at the confirmation, where the
unique index on the email makes it atomic."""

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.mail import notices as notice_texts
from backend.mail.notices import fragment_link
from backend.models import AccountTokenPurpose, StaffMember, StaffStatus
from backend.services import account_tokens, audit, notices, validation
from backend.services.errors import DomainError, ErrorCode, FieldError
from backend.services.password_check import confirm_current_password
from backend.services.staff import get_practice_staff
from backend.services.staff_rules import search_text
from backend.services.viewer import Viewer
from backend.webhooks import events as webhook_events
from backend.webhooks.payloads import Actor, EventType

_PURPOSE = AccountTokenPurpose.EMAIL_CHANGE
DISABLED_MESSAGE = (
    "Email updates are turned off for your account. Ask your administrator to change it."
)
TAKEN_MESSAGE = "This email is already used by another account."
LINK_UNUSABLE_MESSAGE = (
    "This confirmation link is invalid, already used or expired. Ask for a new one in Your account."
)


async def request_change(
    *, viewer: Viewer, new_email: str, current_password: str, settings: Settings
) -> StaffMember:
    staff = await get_practice_staff(viewer, viewer.staff_id)
    if not staff.email_update_enabled:
        raise DomainError.single(ErrorCode.EMAIL_UPDATE_DISABLED, DISABLED_MESSAGE, ["newEmail"])
    try:
        address = validation.clean_email(new_email, field="newEmail")
    except FieldError as problem:
        raise DomainError([problem]) from None
    if address == staff.email:
        raise DomainError.single(
            ErrorCode.INVALID, "This is already your email address.", ["newEmail"]
        )
    if await StaffMember.exists(email=address):
        raise DomainError.single(ErrorCode.TAKEN, TAKEN_MESSAGE, ["newEmail"])
    # A stolen session must not be able to move the account's email (and then its resets).
    await confirm_current_password(
        viewer=viewer,
        staff=staff,
        password=current_password,
        settings=settings,
        action="staff.email_change_request",
    )
    async with in_transaction() as db:
        token, record = await account_tokens.issue(
            staff_id=staff.id,
            purpose=_PURPOSE,
            valid_for=settings.email_change_valid_for,
            new_email=address,
            using_db=db,
        )
        await notices.send(
            staff,
            notice_texts.email_change_confirm(
                fragment_link(settings.public_base_url, "confirm-email", token), record.expires_at
            ),
            settings=settings,
            kind=account_tokens.EMAIL_KIND[_PURPOSE],
            recipient=address,
            using_db=db,
        )
        await notices.send(
            staff, notice_texts.email_change_requested(address), settings=settings, using_db=db
        )
        await audit.record_by(viewer, "staff.email_change_request", target_id=staff.id, using_db=db)
    return staff


async def confirm_change(*, token: str, settings: Settings, viewer: Viewer | None) -> StaffMember:
    """Public: the link proves the new mailbox; whoever opened it submits the form."""
    record = await account_tokens.find_usable(token, _PURPOSE)
    staff = await StaffMember.get_or_none(id=record.staff_id) if record else None
    if (
        record is None
        or staff is None
        or staff.status != StaffStatus.ACTIVE
        or not record.new_email
    ):
        raise DomainError.single(
            ErrorCode.TOKEN_INVALID_OR_EXPIRED, LINK_UNUSABLE_MESSAGE, ["token"]
        )
    old_email, new_email = staff.email, record.new_email
    staff.email = new_email
    try:
        async with in_transaction() as db:
            if not await account_tokens.consume(record, using_db=db):
                raise DomainError.single(
                    ErrorCode.TOKEN_INVALID_OR_EXPIRED, LINK_UNUSABLE_MESSAGE, ["token"]
                )
            await (
                StaffMember.filter(id=staff.id)
                .using_db(db)
                .update(
                    email=new_email, search_text=search_text(staff), updated_at=datetime.now(UTC)
                )
            )
            await audit.record_own(
                staff, "staff.email_change", meta=viewer.meta if viewer else None, using_db=db
            )
            # Confirmed from the new address's link: the person acted on their own account.
            auth_method = viewer.meta.auth_method if viewer else None
            await webhook_events.record_staff(
                EventType.STAFF_EMAIL_CHANGED, staff, Actor.own(staff, auth_method), using_db=db
            )
            await notices.send(
                staff,
                notice_texts.email_changed(new_email),
                settings=settings,
                recipient=old_email,
                using_db=db,
            )
    except IntegrityError:
        # Another account took the address since the request: the unique index decides.
        raise DomainError.single(ErrorCode.TAKEN, TAKEN_MESSAGE, ["token"]) from None
    return staff
