"""Audit events: when, who, which practice, target, action, outcome, from where."""

from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.models import AuditEvent, StaffMember
from backend.services.caller import Caller
from backend.services.viewer import RequestMeta


async def record(
    *,
    action: str,
    practice_id: UUID | None,
    actor_id: UUID | None,
    target_id: UUID | None = None,
    api_client_id: UUID | None = None,
    outcome: str = "SUCCESS",
    meta: RequestMeta | None = None,
    details: dict[str, object] | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    meta = meta or RequestMeta()
    if meta.auth_method:
        details = {**(details or {}), "authMethod": meta.auth_method.value}
    await AuditEvent.create(
        action=action,
        practice_id=practice_id,
        actor_id=actor_id,
        api_client_id=api_client_id,
        target_id=str(target_id) if target_id else None,
        outcome=outcome,
        ip=meta.ip,
        user_agent=(meta.user_agent or "")[:300] or None,
        request_id=meta.request_id,
        details=details or {},
        using_db=using_db,
    )


async def record_own(
    staff: StaffMember,
    action: str,
    *,
    meta: RequestMeta | None,
    details: dict[str, object] | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    """What a person did to their own account without a session yet (signing in,
    activating, resetting or confirming with an emailed link)."""
    await record(
        action=action,
        practice_id=staff.practice_id,
        actor_id=staff.id,
        target_id=staff.id,
        meta=meta,
        details=details,
        using_db=using_db,
    )


async def record_by(
    caller: Caller,
    action: str,
    *,
    target_id: UUID | None = None,
    details: dict[str, object] | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> None:
    """What a caller did: a person or an API client is the actor."""
    await record(
        action=action,
        practice_id=caller.practice_id,
        actor_id=caller.staff_id,
        api_client_id=caller.api_client_id,
        target_id=target_id,
        meta=caller.meta,
        details=details,
        using_db=using_db,
    )
