"""Events as services see them: `record` one inside the transaction of the change.

The event and one delivery per subscribed, enabled endpoint are rows written with the
change (the outbox pattern of backend/mail/outbox.py): they exist if and only if the
change commits, and the worker delivers them later."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.models import Role, StaffMember, WebhookDelivery, WebhookEndpoint, WebhookEvent
from backend.webhooks.payloads import Actor, EventType, role_data, staff_data


async def record(
    *,
    type: EventType,
    practice_id: UUID,
    actor: Actor,
    resource_id: UUID,
    data: dict[str, object],
    using_db: BaseDBAsyncClient | None,
    endpoint_ids: list[UUID] | None = None,
) -> WebhookEvent:
    """Write the event and its deliveries. `endpoint_ids` narrows the fan-out (a ping
    goes to the one endpoint being tested, whatever it subscribes to)."""
    # Callers hold the resource's row lock or the practice lock, so max + 1 cannot race;
    # the unique (resource_id, sequence) index would refuse a duplicate anyway.
    last = (
        await WebhookEvent.filter(resource_id=resource_id)
        .using_db(using_db)
        .order_by("-sequence")
        .first()
        .values_list("sequence", flat=True)
    )
    sequence = int(str(last)) + 1 if last is not None else 1
    event_id = uuid4()
    now = datetime.now(UTC)
    payload: dict[str, object] = {
        "id": str(event_id),
        "type": type.value,
        "timestamp": now.isoformat(),
        "practiceId": str(practice_id),
        "actor": actor.as_json(),
        "resource": {"type": type.resource_type, "id": str(resource_id)},
        "sequence": sequence,
        "data": data,
    }
    event = await WebhookEvent.create(
        using_db=using_db,
        id=event_id,
        practice_id=practice_id,
        type=type.value,
        resource_id=resource_id,
        sequence=sequence,
        payload=payload,
    )
    endpoints = WebhookEndpoint.filter(practice_id=practice_id)
    if endpoint_ids is not None:
        endpoints = endpoints.filter(id__in=endpoint_ids)
    else:
        endpoints = endpoints.filter(enabled=True)
    targets = [
        endpoint
        for endpoint in await endpoints.using_db(using_db)
        if endpoint_ids is not None or type.value in endpoint.event_types
    ]
    if targets:
        await WebhookDelivery.bulk_create(
            [
                WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id, next_attempt_at=now)
                for endpoint in targets
            ],
            using_db=using_db,
        )
    return event


async def record_staff(
    type: EventType, staff: StaffMember, actor: Actor, *, using_db: BaseDBAsyncClient | None
) -> WebhookEvent:
    # The staff row's lock orders this person's events: changes that do not take the
    # practice lock (two-factor, an email change) still cannot draw the same sequence.
    await (
        StaffMember.filter(id=staff.id)
        .using_db(using_db)
        .select_for_update()
        .values_list("id", flat=True)
    )
    return await record(
        type=type,
        practice_id=staff.practice_id,
        actor=actor,
        resource_id=staff.id,
        data=staff_data(staff),
        using_db=using_db,
    )


async def record_role(
    type: EventType,
    role: Role,
    actor: Actor,
    *,
    practice_id: UUID,
    using_db: BaseDBAsyncClient | None,
) -> WebhookEvent:
    return await record(
        type=type,
        practice_id=practice_id,
        actor=actor,
        resource_id=role.id,
        data=role_data(role),
        using_db=using_db,
    )
