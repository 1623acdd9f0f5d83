"""Activation links: issued with their email in the caller's transaction, revoked on change."""

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.config import Settings
from backend.mail.outbox import enqueue_email, latest_for_staff, supersede_queued
from backend.mail.render import render_activation_email, render_activation_link
from backend.models import ActivationToken, OutboxMessage, Practice, StaffMember
from backend.services.secrets import new_token

ACTIVATION_EMAIL = "activation"


async def issue(
    staff: StaffMember, practice: Practice, *, settings: Settings, using_db: BaseDBAsyncClient
) -> ActivationToken:
    """Revoke older links, create a new one and queue the email that carries it."""
    await revoke_all(staff.id, using_db=using_db)
    token, digest = new_token()
    link = ActivationToken(
        staff_id=staff.id,
        token_hash=digest,
        expires_at=datetime.now(UTC) + settings.activation_valid_for,
    )
    await link.save(using_db=using_db)
    email = render_activation_email(
        practice_name=practice.name,
        first_name=staff.first_name,
        username=staff.username,
        link=render_activation_link(settings.public_base_url, token),
        expires_at=link.expires_at,
        chooses_secrets=staff.password_hash is None,
    )
    await enqueue_email(
        kind=ACTIVATION_EMAIL,
        practice_id=practice.id,
        staff_id=staff.id,
        recipient=staff.email,
        email=email,
        settings=settings,
        using_db=using_db,
    )
    return link


async def revoke_all(staff_id: UUID, *, using_db: BaseDBAsyncClient) -> None:
    """Make every outstanding link of this person unusable, and drop unsent emails."""
    await (
        ActivationToken.filter(staff_id=staff_id, used_at=None, revoked_at=None)
        .using_db(using_db)
        .update(revoked_at=datetime.now(UTC))
    )
    await supersede_queued(staff_id=staff_id, kind=ACTIVATION_EMAIL, using_db=using_db)


async def latest_expiries(staff_ids: Sequence[UUID]) -> dict[UUID, datetime]:
    """When each person's newest outstanding link expires, in one query (for a page of
    staff). An expired link still shows its expiry, so the person sees that it lapsed."""
    rows = await ActivationToken.filter(
        staff_id__in=list(staff_ids), used_at=None, revoked_at=None
    ).values_list("staff_id", "expires_at")
    latest: dict[UUID, datetime] = {}
    for staff_id, expires_at in rows:
        if staff_id not in latest or expires_at > latest[staff_id]:
            latest[staff_id] = expires_at
    return latest


async def latest_emails(staff_ids: Sequence[UUID]) -> dict[UUID, OutboxMessage]:
    """Each person's newest activation email, in one query (for a page of staff)."""
    return await latest_for_staff(list(staff_ids), ACTIVATION_EMAIL)
