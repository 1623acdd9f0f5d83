"""Activation links: issued with their email in the caller's transaction, revoked on change."""

from datetime import UTC, datetime
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.config import Settings
from backend.mail.outbox import enqueue_email, supersede_queued
from backend.mail.render import render_activation_email, render_activation_link
from backend.models import ActivationToken, Practice, StaffMember
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
