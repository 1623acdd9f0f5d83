"""Practice records: the practice itself, its providers and its offices."""

from uuid import UUID

from backend.models import Office, Practice, Provider
from backend.services.plans import seats_used
from backend.services.viewer import Viewer


async def practice_with_seats(viewer: Viewer) -> tuple[Practice, int]:
    practice = await Practice.get(id=viewer.practice_id)
    return practice, await seats_used(practice.id)


async def list_providers(viewer: Viewer) -> list[Provider]:
    return list(await Provider.filter(practice_id=viewer.practice_id))


async def list_offices(viewer: Viewer) -> list[Office]:
    return list(await Office.filter(practice_id=viewer.practice_id))


async def get_provider(viewer: Viewer, provider_id: UUID) -> Provider | None:
    return await Provider.get_or_none(id=provider_id, practice_id=viewer.practice_id)


async def get_office(viewer: Viewer, office_id: UUID) -> Office | None:
    return await Office.get_or_none(id=office_id, practice_id=viewer.practice_id)
