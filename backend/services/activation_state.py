"""Whether a pending person's activation link still works, as a condition on the staff
table that the database evaluates (the "link expired" filter, "Resend all expired")."""

from datetime import UTC, datetime

from tortoise.expressions import Q, Subquery

from backend.models import ActivationToken, StaffStatus


def without_working_link(now: datetime | None = None) -> Q:
    """Pending people none of whose activation links still works: the one they have has
    expired (issuing a link revokes the older ones, so there is at most one outstanding).
    A subquery on activation_token's (staff_id, expires_at) outstanding-link index."""
    now = now or datetime.now(UTC)
    working = ActivationToken.filter(used_at=None, revoked_at=None, expires_at__gt=now)
    return Q(status=StaffStatus.PENDING) & ~Q(id__in=Subquery(working.values("staff_id")))


def with_working_link(now: datetime | None = None) -> Q:
    now = now or datetime.now(UTC)
    working = ActivationToken.filter(used_at=None, revoked_at=None, expires_at__gt=now)
    return Q(status=StaffStatus.PENDING) & Q(id__in=Subquery(working.values("staff_id")))
