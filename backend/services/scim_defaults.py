"""A practice's SCIM defaults: what a person provisioned over SCIM gets for the required
fields identity providers never send (a role, a primary provider, offices)."""

from dataclasses import replace
from uuid import UUID

from tortoise.transactions import in_transaction

from backend.models import ScimDefaults
from backend.services import audit
from backend.services.caller import Access, Caller
from backend.services.errors import ErrorCollector
from backend.services.plans import lock_practice
from backend.services.staff_input import UNSET, StaffFields
from backend.services.staff_rules import _practice_offices, _practice_provider, _usable_role


async def scim_defaults(practice_id: UUID) -> ScimDefaults | None:
    return await ScimDefaults.filter(practice_id=practice_id).prefetch_related("offices").first()


async def set_scim_defaults(
    *,
    caller: Caller,
    role_id: UUID | None,
    primary_provider_id: UUID | None,
    office_ids: list[UUID],
) -> ScimDefaults:
    """Replace the practice's defaults; None (or no offices) leaves that one unset, and a
    SCIM create must then carry it in our extension."""
    caller.require(Access.STAFF_WRITE)
    errors = ErrorCollector()
    practice_id = caller.practice_id
    # The staff drawer's own checks: the role, provider and offices of this practice.
    if role_id is not None:
        role_id = await _usable_role(role_id, practice_id, errors)
    if primary_provider_id is not None:
        primary_provider_id = await _practice_provider(primary_provider_id, practice_id, errors)
    offices = await _practice_offices(office_ids, bool(office_ids), practice_id, errors)
    errors.raise_if_any()
    async with in_transaction() as db:
        # Concurrent first saves would both insert: the practice lock serialises them.
        await lock_practice(practice_id, db)
        defaults = await ScimDefaults.filter(practice_id=practice_id).using_db(db).first()
        if defaults is None:
            defaults = ScimDefaults(practice_id=practice_id)
        defaults.role_id = role_id
        defaults.primary_provider_id = primary_provider_id
        await defaults.save(using_db=db)
        await defaults.offices.clear(using_db=db)
        if offices:
            await defaults.offices.add(*offices, using_db=db)
        await audit.record_by(
            caller,
            "practice.scim_defaults",
            details={
                "roleId": str(role_id) if role_id else None,
                "primaryProviderId": str(primary_provider_id) if primary_provider_id else None,
                "officeIds": sorted(str(office.id) for office in offices),
            },
            using_db=db,
        )
    found = await scim_defaults(practice_id)
    assert found is not None
    return found


def with_defaults(data: StaffFields, defaults: ScimDefaults | None) -> StaffFields:
    """The fields of a SCIM create with the practice's defaults where the client sent
    nothing; what it sent (our extension) wins."""
    if defaults is None:
        return data
    filled: dict[str, object] = {}
    if data.role_id in (UNSET, None) and defaults.role_id:
        filled["role_id"] = defaults.role_id
    if data.primary_provider_id in (UNSET, None) and defaults.primary_provider_id:
        filled["primary_provider_id"] = defaults.primary_provider_id
    office_ids = [office.id for office in defaults.offices]
    if data.office_ids in (UNSET, None) and data.restrict_offices in (UNSET, None) and office_ids:
        filled["office_ids"] = office_ids
        filled["restrict_offices"] = True
    return replace(data, **filled)  # type: ignore[arg-type]
