"""Whether a staff member's sign-in is locked, as a condition on the staff table that the
database evaluates (the "sign-in locked" filter). StaffMember.loginLocked reads the same
rows by their keyed hash (backend/services/throttle.py, `locked_among`); the filter reads
them by the staff_id that throttle.link_account keeps on them."""

from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q, Subquery

from backend.config import Settings
from backend.models import LoginThrottle
from backend.services import keys


def account_key(username_key: str, settings: Settings) -> str:
    """A keyed hash, not the name: people type their password into the username field,
    and what they type must not be readable in the table."""
    return f"user:{keys.keyed_digest(settings, 'throttle', username_key)}"


async def link_account(
    staff_id: UUID, username_key: str, settings: Settings, *, using_db: BaseDBAsyncClient
) -> None:
    """Mark the account counter of this username as the staff member's (and no other), so
    that "sign-in locked" can be filtered in SQL. Called when a lock is recorded and when a
    person gets a username (created, renamed): a lock made while the name was unknown or
    someone else's then counts for whoever has the name now, as it does at sign-in."""
    key = account_key(username_key, settings)
    await (
        LoginThrottle.filter(staff_id=staff_id)
        .exclude(key=key)
        .using_db(using_db)
        .update(staff_id=None)
    )
    await LoginThrottle.filter(key=key).using_db(using_db).update(staff_id=staff_id)


def locked() -> Q:
    rows = LoginThrottle.filter(locked_at__not_isnull=True, staff_id__not_isnull=True)
    return Q(id__in=Subquery(rows.values("staff_id")))


def not_locked() -> Q:
    return ~locked()
