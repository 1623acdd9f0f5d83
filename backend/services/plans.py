"""Seat limits of the plans, checked atomically under a lock on the practice row."""

from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.models import Plan, Practice, StaffMember, StaffStatus
from backend.services.errors import DomainError, ErrorCode

SEAT_LIMITS: dict[Plan, int] = {Plan.NON_INVOICED: 3, Plan.ASCLEPIUS: 3}

SEAT_HOLDING_STATUSES = (StaffStatus.PENDING, StaffStatus.ACTIVE)


def seat_limit(plan: Plan) -> int | None:
    return SEAT_LIMITS.get(plan)


async def seats_used(practice_id: UUID, using_db: BaseDBAsyncClient | None = None) -> int:
    return (
        await StaffMember.filter(practice_id=practice_id, status__in=SEAT_HOLDING_STATUSES)
        .using_db(using_db)
        .count()
    )


async def lock_practice(practice_id: UUID, connection: BaseDBAsyncClient) -> Practice:
    """Serialise seat and last-manager checks of one practice (a row lock on PostgreSQL;
    SQLite serialises write transactions)."""
    return await Practice.select_for_update().using_db(connection).get(id=practice_id)


async def claim_seat(practice: Practice, connection: BaseDBAsyncClient) -> None:
    """Refuse when the practice's plan has no free seat. Call with the practice locked."""
    limit = seat_limit(practice.plan)
    if limit is None:
        return
    if await seats_used(practice.id, connection) >= limit:
        raise DomainError.single(
            ErrorCode.SEAT_LIMIT_REACHED,
            f"The {practice.plan.value.replace('_', '-').lower()} plan allows {limit} "
            "pending or active staff accounts. Deactivate one or change plan to add another.",
        )
