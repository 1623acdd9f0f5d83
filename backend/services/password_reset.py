"""Forgot password: a reset link by email, and choosing a new password with it.

A request answers the same, and takes as long, whether or not the account exists, and
whatever its state: in the request itself only the same lookup and the same two limit
counters run (per account — or per typed name when there is none — and per client
address); whatever follows (the email, its link, the audit event) is done after the answer,
in the background. A crash in between loses that email; the person asks again."""

import asyncio
import logging
from datetime import UTC, datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.mail import notices as notice_texts
from backend.mail.notices import fragment_link
from backend.models import AccountTokenPurpose, StaffMember, StaffStatus
from backend.services import (
    account_tokens,
    audit,
    hashing,
    notices,
    request_limits,
    throttle,
    two_factor,
    validation,
)
from backend.services.errors import DomainError, ErrorCode
from backend.services.password_policy import check_new_password
from backend.services.secrets import hash_secret
from backend.services.sessions import revoke_sessions
from backend.services.viewer import RequestMeta

logger = logging.getLogger(__name__)

LINK_UNUSABLE_MESSAGE = (
    "This password reset link is invalid, already used or expired. Ask for a new one."
)
CODE_REQUIRED_MESSAGE = (
    "This account uses two-factor sign-in: enter the code from your authenticator app, "
    "or a recovery code."
)
_PURPOSE = AccountTokenPurpose.PASSWORD_RESET
# Deliveries running after their answer: referenced so that they are not collected.
_IN_FLIGHT: set["asyncio.Task[None]"] = set()
_AFTER_ANSWER_S = 0.05


async def request_reset(*, identifier: str, settings: Settings, meta: RequestMeta) -> None:
    """Returns nothing, ever: the caller answers the same whatever happened."""
    async with hashing.anonymous_work(settings):
        key = validation.username_key((identifier or "").strip())
        if len(key) > validation.EMAIL_MAX_LENGTH:
            key = ""  # matches nobody, with the same query
        staff = await StaffMember.filter(Q(username_key=key) | Q(email=key)).first()
        now = datetime.now(UTC)
        # Both counters are always taken, so that every request does the same work.
        within_address = await request_limits.take(
            request_limits.reset_ip_key(meta.ip or "unknown"),
            limit=settings.password_reset_ip_limit_per_hour,
            now=now,
        )
        identity = staff.username_key if staff else f"name:{key}"
        within_account = await request_limits.take(
            request_limits.reset_account_key(identity, settings),
            limit=settings.password_reset_limit_per_hour,
            now=now,
        )
        if staff is None or not (within_address and within_account):
            return
        task = asyncio.create_task(_deliver(staff.id, settings, meta))
        _IN_FLIGHT.add(task)
        task.add_done_callback(_IN_FLIGHT.discard)


async def _deliver(staff_id: UUID, settings: Settings, meta: RequestMeta) -> None:
    # Let the answer leave first: started at once, this work would share the event loop
    # with the answer's encoding and sending, and show in its timing.
    await asyncio.sleep(_AFTER_ANSWER_S)
    try:
        async with in_transaction() as db:
            staff = await StaffMember.get(id=staff_id, using_db=db)
            if staff.status == StaffStatus.ACTIVE:
                await issue_reset_email(staff, settings=settings, using_db=db)
            elif staff.status == StaffStatus.PENDING:
                await notices.send(
                    staff, notice_texts.reset_pending(), settings=settings, using_db=db
                )
            else:
                await notices.send(
                    staff, notice_texts.reset_inactive(), settings=settings, using_db=db
                )
            await audit.record(
                action="auth.password_reset_request",
                practice_id=staff.practice_id,
                actor_id=None,
                target_id=staff.id,
                meta=meta,
                details={"status": staff.status.value},
                using_db=db,
            )
    except Exception:  # after the answer: nobody else would hear of it
        logger.exception("password reset email could not be queued (staff %s)", staff_id)


async def issue_reset_email(
    staff: StaffMember, *, settings: Settings, using_db: BaseDBAsyncClient
) -> None:
    """A new reset link (older ones revoked) and the email that carries it."""
    token, record = await account_tokens.issue(
        staff_id=staff.id,
        purpose=_PURPOSE,
        valid_for=settings.password_reset_valid_for,
        using_db=using_db,
    )
    link = fragment_link(settings.public_base_url, "reset-password", token)
    await notices.send(
        staff,
        notice_texts.password_reset(link, record.expires_at),
        settings=settings,
        kind=account_tokens.EMAIL_KIND[_PURPOSE],
        using_db=using_db,
    )


async def complete_reset(
    *,
    token: str,
    new_password: str,
    new_password_confirmation: str,
    totp_code: str | None,
    recovery_code: str | None,
    settings: Settings,
    meta: RequestMeta,
) -> StaffMember:
    """Choose a new password with a reset link; ends every session of the account."""
    async with hashing.anonymous_work(settings) as lane:
        record = await account_tokens.find_usable(token, _PURPOSE)
        staff = await StaffMember.get_or_none(id=record.staff_id) if record else None
        if record is None or staff is None or staff.status != StaffStatus.ACTIVE:
            raise DomainError.single(
                ErrorCode.TOKEN_INVALID_OR_EXPIRED, LINK_UNUSABLE_MESSAGE, ["token"]
            )
        await check_new_password(
            staff,
            new_password=new_password,
            confirmation=new_password_confirmation,
            settings=settings,
            lane=lane,
        )
        if staff.two_factor_enabled:
            await _second_factor(staff, totp_code, recovery_code, settings, meta)
        new_hash = await hash_secret(new_password, settings, lane=lane)
        async with in_transaction() as db:
            if not await account_tokens.consume(record, using_db=db):
                raise DomainError.single(
                    ErrorCode.TOKEN_INVALID_OR_EXPIRED, LINK_UNUSABLE_MESSAGE, ["token"]
                )
            await (
                StaffMember.filter(id=staff.id)
                .using_db(db)
                .update(
                    password_hash=new_hash,
                    password_change_required=False,
                    updated_at=datetime.now(UTC),
                )
            )
            # Whoever had the old password may hold a session: all of them end.
            await revoke_sessions(staff.id, using_db=db)
            await account_tokens.revoke(staff_id=staff.id, purpose=_PURPOSE, using_db=db)
            await audit.record_own(staff, "auth.password_reset", meta=meta, using_db=db)
            await notices.send(
                staff,
                notice_texts.changed("Your password was reset"),
                settings=settings,
                using_db=db,
            )
    return staff


async def _second_factor(
    staff: StaffMember,
    totp_code: str | None,
    recovery_code: str | None,
    settings: Settings,
    meta: RequestMeta,
) -> None:
    """A reset never bypasses two-factor sign-in: the code is a guess like a sign-in's,
    counted before it is checked against the account's sign-in limits."""
    if not (totp_code or recovery_code):
        raise DomainError.single(ErrorCode.TWO_FACTOR_REQUIRED, CODE_REQUIRED_MESSAGE, ["totpCode"])
    now = datetime.now(UTC)
    attempt = await throttle.reserve(
        throttle.keys_for(staff.username_key, meta, settings), settings, now
    )
    used = await two_factor.accept_login_code(
        staff, totp_code=totp_code, recovery_code=recovery_code, settings=settings, now=now
    )
    if used is None:
        await audit.record(
            action="auth.password_reset",
            outcome="FAILURE",
            practice_id=staff.practice_id,
            actor_id=None,
            target_id=staff.id,
            meta=meta,
            details={"refused": "TWO_FACTOR_CODE"},
        )
        await attempt.failed(staff=staff, meta=meta)
        raise DomainError.single(
            ErrorCode.TWO_FACTOR_CODE_INVALID, two_factor.INVALID_CODE_MESSAGE, ["totpCode"]
        )
    await attempt.succeeded()
