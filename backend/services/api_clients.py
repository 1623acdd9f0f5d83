"""API clients: a practice's machine credentials for partner systems.

A secret is `sa_live_` and 43 URL-safe characters (32 random bytes); the fixed prefix lets
secret scanners spot a leaked one and lets the API tell it from a session token. Only its
SHA-256 is stored: 256 random bits cannot be guessed, so a slow hash would add nothing, and
an unkeyed one survives a rotation of SECRET_KEYS (a keyed digest would tie every client
to the newest key). Managed by people with Manage Accounts, never by an API client."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import ApiClient, ApiClientSecret, Permission, Practice
from backend.services import api_client_rate, audit, validation
from backend.services.audit_log import decode_cursor, encode_cursor, page_size
from backend.services.caller import Access, ApiClientCaller, Caller, Scope
from backend.services.errors import DomainError, ErrorCode, ErrorCollector
from backend.services.secrets import token_digest
from backend.services.viewer import AuthMethod, RequestMeta, Viewer

SECRET_PREFIX = "sa_live_"
SECRET_LENGTH = len(SECRET_PREFIX) + 43
NAME_MAX_LENGTH = 100
MAX_EXPIRY_DAYS = 3650
DEFAULT_PAGE_SIZE = 25
# Writing last use on every request would cost a write per read.
_TOUCH_EVERY = timedelta(seconds=60)


class ApiClientStatus(str, Enum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"  # past its expiry, or unused for API_CLIENT_IDLE_DAYS
    REVOKED = "REVOKED"


@dataclass(frozen=True, kw_only=True)
class NewApiClient:
    name: str | None
    scopes: Sequence[Scope]
    expires_in_days: int | None = None


@dataclass(frozen=True)
class ClientPage:
    items: list[ApiClient]
    cursors: list[str]
    has_next_page: bool


@dataclass(frozen=True)
class IssuedSecret:
    """A client and its new secret: the only time the secret is seen."""

    client: ApiClient
    secret: str
    # After a rotation: until when the secrets in use before keep working.
    previous_secrets_end: datetime | None = None


def is_client_secret(token: str) -> bool:
    """Whether a bearer token is meant as an API client's secret (not a session token)."""
    return token.startswith(SECRET_PREFIX)


def status(client: ApiClient, settings: Settings, now: datetime | None = None) -> ApiClientStatus:
    now = now or datetime.now(UTC)
    if client.revoked_at is not None:
        return ApiClientStatus.REVOKED
    if client.expires_at is not None and client.expires_at <= now:
        return ApiClientStatus.EXPIRED
    if (client.last_used_at or client.created_at) + settings.api_client_idle <= now:
        return ApiClientStatus.EXPIRED
    return ApiClientStatus.ACTIVE


async def create(*, viewer: Viewer, data: NewApiClient, settings: Settings) -> IssuedSecret:
    viewer.require(Permission.MANAGE_ACCOUNTS)
    return await _create(viewer.practice_id, data, settings, viewer=viewer)


async def create_for_practice(
    *, practice: str, data: NewApiClient, settings: Settings
) -> IssuedSecret:
    """From the command line, for the practice of this exact name or ID: no person creates
    it (and the audit trail says so)."""
    found = await _practice_named(practice)
    return await _create(found.id, data, settings, viewer=None)


async def _practice_named(reference: str) -> Practice:
    try:
        by_id = await Practice.get_or_none(id=UUID(reference))
    except ValueError:
        by_id = None
    if by_id is not None:
        return by_id
    named = await Practice.filter(name=reference.strip()).limit(2)
    if len(named) > 1:
        raise DomainError.single(
            ErrorCode.INVALID,
            "Several practices have this name: give the practice's ID instead.",
            ["practice"],
        )
    if not named:
        raise DomainError.single(ErrorCode.NOT_FOUND, "There is no such practice.", ["practice"])
    return named[0]


async def rotate(*, viewer: Viewer, client_id: UUID, settings: Settings) -> IssuedSecret:
    """A new secret; the ones in use keep working for API_CLIENT_ROTATION_OVERLAP_HOURS."""
    viewer.require(Permission.MANAGE_ACCOUNTS)
    now = datetime.now(UTC)
    async with in_transaction() as db:
        client = await _live_client(viewer, client_id, settings, db, verb="rotate")
        overlap_ends = now + settings.api_client_rotation_overlap
        await (
            ApiClientSecret.filter(client_id=client.id, expires_at=None)
            .using_db(db)
            .update(expires_at=overlap_ends)
        )
        secret = await _new_secret(client, db)
        await audit.record_by(
            viewer,
            "api_client.rotate",
            target_id=client.id,
            details={"overlapEndsAt": overlap_ends.isoformat(timespec="seconds")},
            using_db=db,
        )
    return IssuedSecret(client=client, secret=secret, previous_secrets_end=overlap_ends)


async def revoke(*, viewer: Viewer, client_id: UUID, settings: Settings) -> ApiClient:
    """At once: every secret of the client stops working."""
    viewer.require(Permission.MANAGE_ACCOUNTS)
    now = datetime.now(UTC)
    async with in_transaction() as db:
        client = await _practice_client(viewer, client_id, db)
        if client.revoked_at is not None:
            raise DomainError.single(
                ErrorCode.INVALID_TRANSITION, "This API client is already revoked.", ["id"]
            )
        revoked = (
            await ApiClient.filter(id=client.id, revoked_at=None)
            .using_db(db)
            .update(revoked_at=now)
        )
        if revoked:
            client.revoked_at = now
            await audit.record_by(viewer, "api_client.revoke", target_id=client.id, using_db=db)
    return client


async def list_clients(
    *, viewer: Viewer, first: int | None = None, after: str | None = None
) -> ClientPage:
    """The practice's API clients, newest first; keyset cursors on (created_at, id)."""
    viewer.require(Permission.MANAGE_ACCOUNTS)
    size = page_size(first, DEFAULT_PAGE_SIZE)
    rows = ApiClient.filter(practice_id=viewer.practice_id)
    if after:
        created_at, client_id = decode_cursor(after)
        rows = rows.filter(created_at__lte=created_at).filter(
            Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=client_id)
        )
    found = list(await rows.order_by("-created_at", "-id").limit(size + 1))
    items = found[:size]
    return ClientPage(
        items=items,
        cursors=[encode_cursor(client.created_at, client.id) for client in items],
        has_next_page=len(found) > size,
    )


async def count_clients(*, viewer: Viewer) -> int:
    viewer.require(Permission.MANAGE_ACCOUNTS)
    return await ApiClient.filter(practice_id=viewer.practice_id).count()


async def get_client(*, viewer: Viewer, client_id: UUID) -> ApiClient | None:
    viewer.require(Permission.MANAGE_ACCOUNTS)
    return await ApiClient.get_or_none(id=client_id, practice_id=viewer.practice_id)


async def authenticate(
    secret: str, *, settings: Settings, meta: RequestMeta
) -> ApiClientCaller | None:
    """The caller of a live client secret, or None (unknown, rotated out and past its
    overlap, revoked or expired)."""
    if not is_client_secret(secret) or len(secret) != SECRET_LENGTH:
        return None
    now = datetime.now(UTC)
    found = await (
        ApiClientSecret.filter(secret_hash=token_digest(secret))
        .filter(Q(expires_at=None) | Q(expires_at__gt=now))
        .select_related("client")
        .first()
    )
    if found is None or status(found.client, settings, now) != ApiClientStatus.ACTIVE:
        return None
    client = found.client
    await _touch(client, meta, now)
    return ApiClientCaller(
        api_client_id=client.id,
        practice_id=client.practice_id,
        name=client.name,
        scopes=frozenset(Scope(value) for value in client.scopes if value in _SCOPE_VALUES),
        meta=_as_client(meta),
    )


async def caller_record(caller: ApiClientCaller) -> ApiClient:
    """The calling client itself (what it may learn about itself)."""
    return await ApiClient.get(id=caller.api_client_id)


_SCOPE_VALUES = frozenset(scope.value for scope in Scope)


def _as_client(meta: RequestMeta) -> RequestMeta:
    return RequestMeta(
        ip=meta.ip,
        user_agent=meta.user_agent,
        request_id=meta.request_id,
        auth_method=AuthMethod.API_CLIENT,
    )


async def _touch(client: ApiClient, meta: RequestMeta, now: datetime) -> None:
    # Conditional, so that concurrent requests of several processes write it once a minute.
    if client.last_used_at is not None and now - client.last_used_at < _TOUCH_EVERY:
        return
    await (
        ApiClient.filter(id=client.id)
        .filter(Q(last_used_at=None) | Q(last_used_at__lt=now - _TOUCH_EVERY))
        .update(last_used_at=now, last_used_ip=meta.ip)
    )


async def _create(
    practice_id: UUID, data: NewApiClient, settings: Settings, *, viewer: Viewer | None
) -> IssuedSecret:
    name, scopes, expires_at = _clean(data)
    async with in_transaction() as db:
        client = await ApiClient.create(
            practice_id=practice_id,
            name=name,
            scopes=scopes,
            created_by_id=viewer.staff_id if viewer else None,
            expires_at=expires_at,
            # A full bucket: a new client may start with a burst.
            bucket_tokens=float(settings.api_client_rate_burst),
            bucket_at=api_client_rate.clock(),
            using_db=db,
        )
        secret = await _new_secret(client, db)
        details: dict[str, object] = {"name": name, "scopes": scopes}
        if expires_at:
            details["expiresAt"] = expires_at.isoformat(timespec="seconds")
        if viewer is None:
            details["via"] = "cli"
            await audit.record(
                action="api_client.create",
                practice_id=practice_id,
                actor_id=None,
                target_id=client.id,
                details=details,
                using_db=db,
            )
        else:
            await audit.record_by(
                viewer, "api_client.create", target_id=client.id, details=details, using_db=db
            )
    return IssuedSecret(client=client, secret=secret)


def _clean(data: NewApiClient) -> tuple[str, list[str], datetime | None]:
    errors = ErrorCollector()
    # The rules of every name shown in lists: no control or invisible characters.
    name = errors.check(
        lambda: validation.clean_name(data.name, field="name", max_length=NAME_MAX_LENGTH)
    )
    if not data.scopes:
        errors.add(ErrorCode.REQUIRED, "Choose at least one scope.", "scopes")
    expires_at = None
    days = data.expires_in_days
    if days is not None:
        if not 1 <= days <= MAX_EXPIRY_DAYS:
            errors.add(
                ErrorCode.INVALID,
                f"Choose an expiry of 1 to {MAX_EXPIRY_DAYS} days, or none.",
                "expiresInDays",
            )
        else:
            expires_at = datetime.now(UTC) + timedelta(days=days)
    errors.raise_if_any()
    assert name is not None
    chosen = set(data.scopes)
    # In the catalogue's order, whatever the order asked in.
    return name, [scope.value for scope in Scope if scope in chosen], expires_at


async def _new_secret(client: ApiClient, db: BaseDBAsyncClient) -> str:
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    await ApiClientSecret.create(client_id=client.id, secret_hash=token_digest(secret), using_db=db)
    return secret


async def _practice_client(viewer: Viewer, client_id: UUID, db: BaseDBAsyncClient) -> ApiClient:
    client = (
        await ApiClient.filter(id=client_id, practice_id=viewer.practice_id)
        .using_db(db)
        .select_for_update()
        .first()
    )
    if client is None:
        raise DomainError.single(ErrorCode.NOT_FOUND, "There is no such API client.", ["id"])
    return client


async def _live_client(
    viewer: Viewer, client_id: UUID, settings: Settings, db: BaseDBAsyncClient, *, verb: str
) -> ApiClient:
    client = await _practice_client(viewer, client_id, db)
    current = status(client, settings)
    if current != ApiClientStatus.ACTIVE:
        raise DomainError.single(
            ErrorCode.INVALID_TRANSITION,
            f"This API client is {current.value.lower()}: it cannot {verb}. Create a new one.",
            ["id"],
        )
    return client


def visible_creator_id(caller: Caller | None, created_by_id: UUID | None) -> UUID | None:
    """Who created a client, if the caller may see it: a person's record is staff data,
    so an API client without staff:read does not (as with audit actors)."""
    if created_by_id is None or caller is None or not caller.can(Access.STAFF_READ):
        return None
    return created_by_id
