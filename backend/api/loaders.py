"""DataLoaders: one query per page for what each staff row needs beyond its own columns.
They read through the services, like every resolver."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from strawberry.dataloader import DataLoader

from backend.config import Settings
from backend.models import OutboxMessage, StaffMember
from backend.services import activation_links, staff_directory, throttle


async def _activation_expiries(staff_ids: Sequence[UUID]) -> list[datetime | None]:
    latest = await activation_links.latest_expiries(staff_ids)
    return [latest.get(staff_id) for staff_id in staff_ids]


async def _activation_emails(staff_ids: Sequence[UUID]) -> list[OutboxMessage | None]:
    latest = await activation_links.latest_emails(staff_ids)
    return [latest.get(staff_id) for staff_id in staff_ids]


async def _staff(staff_ids: Sequence[UUID]) -> list[StaffMember | None]:
    found = await staff_directory.staff_with_relations_among(staff_ids)
    return [found.get(staff_id) for staff_id in staff_ids]


class Loaders:
    def __init__(self, settings: Settings) -> None:
        async def logins_locked(username_keys: Sequence[str]) -> list[bool]:
            locked = await throttle.locked_among(username_keys, settings)
            return [key in locked for key in username_keys]

        self.login_locked = DataLoader(load_fn=logins_locked, cache=True)
        self.activation_expiry = DataLoader(load_fn=_activation_expiries, cache=True)
        self.activation_email = DataLoader(load_fn=_activation_emails, cache=True)
        # Staff with role, provider and offices, by ID: for fields that name a person.
        self.staff = DataLoader(load_fn=_staff, cache=True)
