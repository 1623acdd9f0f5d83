"""Reading the audit trail: the practice's events, newest first, keyset-paginated."""

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import orjson
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from backend.models import ApiClient, AuditEvent, StaffMember
from backend.services.caller import Access, Caller
from backend.services.errors import DomainError, ErrorCode

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25
DEFAULT_STAFF_HISTORY_SIZE = 20

# What a target ID names, by the action's prefix. Sign-ins, sign-outs and lifecycle
# actions target a staff member; role changes a role; bootstrap the practice.
TARGET_KINDS = {
    "auth": "StaffMember",
    "staff": "StaffMember",
    "role": "Role",
    "practice": "Practice",
    "api_client": "ApiClient",
}
STAFF_ACTION_PREFIXES = tuple(
    f"{prefix}." for prefix, kind in TARGET_KINDS.items() if kind == "StaffMember"
)

# Details never hold a secret; these keys are dropped anyway, should one ever slip in.
AUTH_METHOD_KEY = "authMethod"  # written by services.audit.record
_SECRET_HINTS = ("password", "pin", "token", "secret", "hash", "totp", "otp", "code")


@dataclass(frozen=True, kw_only=True)
class AuditQuery:
    target_staff_id: UUID | None = None
    actor_id: UUID | None = None
    actor_api_client_id: UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Actors:
    """Who acted in a set of events: staff and API clients, by id."""

    staff: dict[UUID, StaffMember]
    api_clients: dict[UUID, ApiClient]


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditEvent]
    actors: Actors
    cursors: list[str]
    has_next_page: bool


@dataclass(frozen=True)
class StaffHistory:
    items: list[AuditEvent]
    actors: Actors


async def list_events(
    *, caller: Caller, query: AuditQuery, first: int | None = None, after: str | None = None
) -> AuditPage:
    """Newest first (then by id, so the order is total); keyset cursors on (created_at, id)."""
    caller.require(Access.AUDIT_READ)
    size = page_size(first, DEFAULT_PAGE_SIZE)
    filtered = _filtered(caller, query)
    page_query = filtered
    if after:
        created_at, event_id = decode_cursor(after)
        page_query = page_query.filter(created_at__lte=created_at).filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=event_id)
        )
    rows = await page_query.order_by("-created_at", "-id").limit(size + 1)
    items = list(rows[:size])
    return AuditPage(
        items=items,
        actors=await _actors(caller, items),
        cursors=[encode_cursor(event.created_at, event.id) for event in items],
        has_next_page=len(rows) > size,
    )


async def count_events(*, caller: Caller, query: AuditQuery) -> int:
    """How many events match in all pages; only for callers who ask (the trail only grows)."""
    caller.require(Access.AUDIT_READ)
    return await _filtered(caller, query).count()


async def staff_history(*, caller: Caller, staff_id: UUID, first: int | None) -> StaffHistory:
    """Events whose target is this staff member of the caller's practice, newest first."""
    caller.require(Access.AUDIT_READ)
    size = page_size(first, DEFAULT_STAFF_HISTORY_SIZE)
    items = list(
        await _filtered(caller, AuditQuery(target_staff_id=staff_id))
        .order_by("-created_at", "-id")
        .limit(size)
    )
    return StaffHistory(items=items, actors=await _actors(caller, items))


def target_kind(action: str) -> str | None:
    """The type of object an event's target ID names, or None when it is not known."""
    prefix, _, _ = action.partition(".")
    return TARGET_KINDS.get(prefix)


def safe_details(details: object) -> list[tuple[str, str]]:
    """Details as (key, text) pairs in key order, without anything that looks secret."""
    if not isinstance(details, dict):
        return []
    pairs = []
    for key in sorted(details):
        name = str(key)
        if name == AUTH_METHOD_KEY or any(hint in name.lower() for hint in _SECRET_HINTS):
            continue
        pairs.append((_camel(name), _text(name, details[key])))
    return pairs


# Events recorded before people's bearer sessions were named so.
_OLD_AUTH_METHOD_NAMES = {"bearer": "bearer_session"}


def auth_method(details: object) -> str | None:
    """How the actor was authenticated (an AuthMethod value), kept apart from the details."""
    value = details.get(AUTH_METHOD_KEY) if isinstance(details, dict) else None
    return _OLD_AUTH_METHOD_NAMES.get(str(value), str(value)) if value else None


def summary(pairs: list[tuple[str, str]]) -> str | None:
    """The pairs of safe_details as one line."""
    return "; ".join(f"{key}: {value}" for key, value in pairs) or None


def _text(key: str, value: object) -> str:
    if key == "fields" and isinstance(value, list):
        # Changed columns, named as the API names the fields.
        return ", ".join(_field_name(str(item)) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(_text("", item) for item in value)
    if value is None:
        return ""
    return str(value)


def _field_name(column: str) -> str:
    return _camel(
        column.removesuffix("_id") if column in {"role_id", "primary_provider_id"} else column
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


async def _actors(caller: Caller, events: Iterable[AuditEvent]) -> Actors:
    """The staff (plus their offices) and API clients who acted, a query each; only of the
    caller's practice."""
    events = list(events)
    staff_ids = {event.actor_id for event in events if event.actor_id is not None}
    client_ids = {event.api_client_id for event in events if event.api_client_id is not None}
    # A person's record is staff data: an API client without staff:read sees no actor.
    if not caller.can(Access.STAFF_READ):
        staff_ids = set()
    staff = (
        await StaffMember.filter(id__in=list(staff_ids), practice_id=caller.practice_id)
        .select_related("role", "primary_provider")
        .prefetch_related("offices")
        if staff_ids
        else []
    )
    clients = (
        await ApiClient.filter(
            id__in=list(client_ids), practice_id=caller.practice_id
        ).select_related("created_by")
        if client_ids
        else []
    )
    return Actors(
        staff={member.id: member for member in staff},
        api_clients={client.id: client for client in clients},
    )


def _filtered(caller: Caller, query: AuditQuery) -> QuerySet[AuditEvent]:
    rows = AuditEvent.filter(practice_id=caller.practice_id)
    if query.target_staff_id is not None:
        prefixes = Q(*(Q(action__startswith=p) for p in STAFF_ACTION_PREFIXES), join_type="OR")
        rows = rows.filter(target_id=str(query.target_staff_id)).filter(prefixes)
    if query.actor_id is not None:
        rows = rows.filter(actor_id=query.actor_id)
    if query.actor_api_client_id is not None:
        rows = rows.filter(api_client_id=query.actor_api_client_id)
    if query.action:
        rows = rows.filter(action=query.action.strip())
    if query.since is not None:
        rows = rows.filter(created_at__gte=query.since)
    if query.until is not None:
        rows = rows.filter(created_at__lte=query.until)
    return rows


def page_size(first: int | None, default: int) -> int:
    if first is None:
        return default
    if first < 0:
        raise DomainError.single(ErrorCode.INVALID, "`first` cannot be negative.", ["first"])
    return min(first, MAX_PAGE_SIZE)


def encode_cursor(created_at: datetime, row_id: UUID) -> str:
    """A keyset cursor on (created_at, id), newest first (the API clients' list uses it too)."""
    raw = orjson.dumps([created_at.isoformat(), str(row_id)])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, event_id = orjson.loads(base64.urlsafe_b64decode(padded))
        moment = datetime.fromisoformat(str(created_at))
        if moment.tzinfo is None:
            raise ValueError("no time zone")  # ours always have one
        # In UTC, as stored; near the ends of the calendar an offset can overflow.
        return moment.astimezone(UTC), UUID(str(event_id))
    except (ValueError, TypeError, OverflowError, orjson.JSONDecodeError):
        raise DomainError.single(
            ErrorCode.INVALID, "The `after` cursor is not valid.", ["after"]
        ) from None
