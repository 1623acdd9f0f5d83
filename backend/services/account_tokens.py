"""Single-use emailed links of account self-service (password resets, email changes):
32 random bytes, only the SHA-256 stored, an expiry; issuing one revokes the older ones of
the same purpose, and redeeming is one conditional UPDATE, so only one redemption wins."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.mail.outbox import supersede_queued
from backend.models import AccountToken, AccountTokenPurpose, StaffMember
from backend.services.secrets import new_token, token_digest

# The outbox kind of the email that carries each purpose's link: revoking the links also
# drops their unsent emails, whose bodies carry them.
EMAIL_KIND = {
    AccountTokenPurpose.PASSWORD_RESET: "password_reset",
    AccountTokenPurpose.EMAIL_CHANGE: "email_change",
}


async def issue(
    *,
    staff_id: UUID,
    purpose: AccountTokenPurpose,
    valid_for: timedelta,
    using_db: BaseDBAsyncClient,
    new_email: str | None = None,
) -> tuple[str, AccountToken]:
    # The person's row lock orders concurrent issues (PostgreSQL; SQLite serialises write
    # transactions): each revokes the links committed before it, so one usable link remains.
    await StaffMember.select_for_update().using_db(using_db).get(id=staff_id)
    await revoke(staff_id=staff_id, purpose=purpose, using_db=using_db)
    token, digest = new_token()
    record = await AccountToken.create(
        staff_id=staff_id,
        purpose=purpose,
        token_hash=digest,
        new_email=new_email,
        expires_at=datetime.now(UTC) + valid_for,
        using_db=using_db,
    )
    return token, record


async def revoke(
    *, staff_id: UUID, purpose: AccountTokenPurpose, using_db: BaseDBAsyncClient | None = None
) -> None:
    await (
        AccountToken.filter(staff_id=staff_id, purpose=purpose, used_at=None, revoked_at=None)
        .using_db(using_db)
        .update(revoked_at=datetime.now(UTC))
    )
    await supersede_queued(staff_id=staff_id, kind=EMAIL_KIND[purpose], using_db=using_db)


async def find_usable(token: str, purpose: AccountTokenPurpose) -> AccountToken | None:
    if not token or len(token) > 100:
        return None
    record = await AccountToken.get_or_none(token_hash=token_digest(token), purpose=purpose)
    now = datetime.now(UTC)
    if record is None or record.used_at or record.revoked_at or record.expires_at <= now:
        return None
    return record


async def consume(record: AccountToken, *, using_db: BaseDBAsyncClient) -> bool:
    """Mark the link used, if it still is usable: False when a concurrent redemption (or a
    revocation, or the clock) won."""
    now = datetime.now(UTC)
    used = (
        await AccountToken.filter(id=record.id, used_at=None, revoked_at=None, expires_at__gt=now)
        .using_db(using_db)
        .update(used_at=now)
    )
    return used == 1


async def pending_email(staff_id: UUID) -> str | None:
    """The new address awaiting confirmation, if any."""
    record = (
        await AccountToken.filter(
            staff_id=staff_id,
            purpose=AccountTokenPurpose.EMAIL_CHANGE,
            used_at=None,
            revoked_at=None,
            expires_at__gt=datetime.now(UTC),
        )
        .order_by("-created_at")
        .first()
    )
    return record.new_email if record else None
