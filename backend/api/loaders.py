"""DataLoaders: one query per page for what each staff row needs beyond its own columns."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from strawberry.dataloader import DataLoader

from backend.config import Settings
from backend.mail.outbox import latest_for_staff
from backend.models import ActivationToken, OutboxMessage
from backend.services import throttle
from backend.services.activation_links import ACTIVATION_EMAIL


async def _activation_expiries(staff_ids: Sequence[UUID]) -> list[datetime | None]:
    rows = await ActivationToken.filter(
        staff_id__in=list(staff_ids), used_at=None, revoked_at=None
    ).values_list("staff_id", "expires_at")
    latest: dict[UUID, datetime] = {}
    for staff_id, expires_at in rows:
        if staff_id not in latest or expires_at > latest[staff_id]:
            latest[staff_id] = expires_at
    # An expired link still shows its expiry, so the person sees that it lapsed.
    return [latest.get(staff_id) for staff_id in staff_ids]


async def _activation_emails(staff_ids: Sequence[UUID]) -> list[OutboxMessage | None]:
    latest = await latest_for_staff(list(staff_ids), ACTIVATION_EMAIL)
    return [latest.get(staff_id) for staff_id in staff_ids]


class Loaders:
    def __init__(self, settings: Settings) -> None:
        async def logins_locked(username_keys: Sequence[str]) -> list[bool]:
            locked = await throttle.locked_among(username_keys, settings)
            return [key in locked for key in username_keys]

        self.login_locked = DataLoader(load_fn=logins_locked, cache=True)
        self.activation_expiry = DataLoader(load_fn=_activation_expiries, cache=True)
        self.activation_email = DataLoader(load_fn=_activation_emails, cache=True)
