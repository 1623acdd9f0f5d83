"""Forgot password: a reset link by email, and choosing a new password with it.

A request answers the same, and takes as long, whether or not the account exists, and
whatever its state: in the request itself only the same lookup, the same two limit
counters (per account — or per typed name when there is none — and per client address)
and the same insert of a request row run. The row is what makes the rest durable: the
email, its link and the audit event are made from it after the answer, in the
background, and should the process stop in between, the outbox sender's next pass (in
the app or a worker) picks up what was left."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.mail import notices as notice_texts
from backend.mail.notices import fragment_link
from backend.models import AccountTokenPurpose, PasswordResetRequest, StaffMember, StaffStatus
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
# A request this old was not handled after its answer: the sender's pass takes it.
_LEFT_BEHIND = timedelta(seconds=10)
_GIVE_UP_AFTER = timedelta(hours=1)


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
        # Keyed by what was typed, known account or not: keyed by the account, its username
        # and its email would share one counter while an unknown name's did not, and the
        # difference would show in the work done.
        within_account = await request_limits.take(
            request_limits.reset_account_key(f"name:{key}", settings),
            limit=settings.password_reset_limit_per_hour,
            now=now,
        )
        if not (within_address and within_account):
            return
        # Written for nobody too (and dropped unhandled): the same insert either way.
        request = await PasswordResetRequest.create(
            staff_id=staff.id if staff else None,
            ip=meta.ip,
            user_agent=(meta.user_agent or "")[:300] or None,
            request_id=meta.request_id,
        )
        task = asyncio.create_task(_after_answer(request.id, settings))
        _IN_FLIGHT.add(task)
        task.add_done_callback(_IN_FLIGHT.discard)


async def _after_answer(request_id: UUID, settings: Settings) -> None:
    # Let the answer leave first: started at once, this work would share the event loop
    # with the answer's encoding and sending, and show in its timing.
    await asyncio.sleep(_AFTER_ANSWER_S)
    try:
        await _handle(request_id, settings)
    except Exception:  # the row stays: the sender's next pass tries again
        logger.exception("password reset request %s could not be handled yet", request_id)


def left_behind_sweep(settings: Settings) -> Callable[[], Awaitable[int]]:
    """For the outbox sender, before each pass: handle_left_behind, but at most once per
    _LEFT_BEHIND (a request is not left behind sooner), not two queries every poll."""
    next_sweep = 0.0

    async def sweep() -> int:
        nonlocal next_sweep
        now = time.monotonic()
        if now < next_sweep:
            return 0
        next_sweep = now + _LEFT_BEHIND.total_seconds()
        return await handle_left_behind(settings)

    return sweep


async def handle_left_behind(settings: Settings, *, older_than: timedelta = _LEFT_BEHIND) -> int:
    """Handle the requests whose after-answer work did not run (the process stopped in
    between, or the database failed then); returns how many it handled."""
    now = datetime.now(UTC)
    # One that has failed for an hour will not do better: its link would be stale anyway,
    # and retrying it each pass would fill the log. The person asks again.
    given_up = await PasswordResetRequest.filter(created_at__lt=now - _GIVE_UP_AFTER).delete()
    if given_up:
        logger.warning("dropped %d password reset requests that failed for an hour", given_up)
    cutoff = now - older_than
    left_behind = (
        await PasswordResetRequest.filter(created_at__lt=cutoff).order_by("created_at").limit(50)
    )
    handled = 0
    for request_id in (request.id for request in left_behind):
        try:
            handled += await _handle(request_id, settings)
        except Exception:  # one that cannot be handled must not hold up the others
            logger.exception("password reset request %s could not be handled yet", request_id)
    return handled


async def _handle(request_id: UUID, settings: Settings) -> bool:
    """The email (or notice) and the audit event of one request, in the transaction that
    deletes its row: whoever deletes it handles it, once, and a failure keeps it."""
    async with in_transaction() as db:
        request = await PasswordResetRequest.get_or_none(id=request_id, using_db=db)
        if (
            request is None
            or not await PasswordResetRequest.filter(id=request_id).using_db(db).delete()
        ):
            return False  # handled by another process
        if request.staff_id is None:
            return True
        staff = await StaffMember.get(id=request.staff_id, using_db=db)
        if staff.status == StaffStatus.ACTIVE:
            await issue_reset_email(staff, settings=settings, using_db=db)
        elif staff.status == StaffStatus.PENDING:
            await notices.send(staff, notice_texts.reset_pending(), settings=settings, using_db=db)
        else:
            await notices.send(staff, notice_texts.reset_inactive(), settings=settings, using_db=db)
        await audit.record(
            action="auth.password_reset_request",
            practice_id=staff.practice_id,
            actor_id=None,
            target_id=staff.id,
            meta=RequestMeta(
                ip=request.ip, user_agent=request.user_agent, request_id=request.request_id
            ),
            details={"status": staff.status.value},
            using_db=db,
        )
    return True


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
