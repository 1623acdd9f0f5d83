"""Rows and settings for mail tests."""

import socket
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from backend.config import Settings
from backend.mail.outbox import enqueue_email
from backend.mail.render import render_activation_email, render_activation_link
from backend.models import OutboxMessage, Practice, Provider, Role, StaffMember

BASE_URL = "https://staff.example.test"
KIND = "activation"


def mail_settings(host: str, port: int, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "smtp_host": host,
        "smtp_port": port,
        "smtp_timeout_seconds": 5.0,
        "mail_retry_base_seconds": 5.0,
        "mail_max_attempts": 3,
    }
    values.update(overrides)
    return Settings(**values)


def closed_port() -> int:
    """A port nothing listens on (bound for a moment, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def queue_activation(
    practice: Practice,
    *,
    settings: Settings,
    recipient: str = "ada@example.com",
    token: str = "tok-ada",
    staff_id: UUID | None = None,
    kind: str = KIND,
) -> OutboxMessage:
    email = render_activation_email(
        practice_name=practice.name,
        first_name="Ada",
        username="ada.l",
        link=render_activation_link(BASE_URL, token),
        expires_at=datetime.now(UTC) + timedelta(hours=72),
    )
    return await enqueue_email(
        kind=kind,
        practice_id=practice.id,
        staff_id=staff_id,
        recipient=recipient,
        email=email,
        settings=settings,
    )


async def make_staff(practice: Practice, count: int) -> list[StaffMember]:
    role = await Role.get(name="Staff (System)")
    provider = await Provider.create(practice=practice, first_name="Grace", last_name="Hopper")
    return [
        await StaffMember.create(
            practice=practice,
            role=role,
            primary_provider=provider,
            first_name=f"First{number}",
            last_name=f"Last{number}",
            username=f"user{number}",
            username_key=f"user{number}",
            email=f"user{number}@example.com",
            password_hash="not-a-hash",
            pin_hash="not-a-hash",
        )
        for number in range(count)
    ]


async def make_due(message: OutboxMessage) -> None:
    await OutboxMessage.filter(id=message.id).update(
        next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)
    )
