"""Setting up a practice from the command line: the practice, its records, its owner."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import Office, Plan, Practice, Provider, Role, StaffMember, StaffStatus
from backend.services import audit, validation
from backend.services.errors import DomainError, ErrorCode, ErrorCollector
from backend.services.pin_hash import hash_pin
from backend.services.secrets import hash_secret
from backend.services.staff_rules import search_text

ADMINISTRATOR_ROLE = "Practice Administrator (System)"


@dataclass(frozen=True, kw_only=True)
class NewPractice:
    name: str
    plan: Plan
    provider_first_name: str
    provider_last_name: str
    office_names: list[str] = field(default_factory=lambda: ["Main Office"])
    owner_first_name: str
    owner_last_name: str
    owner_username: str
    owner_email: str
    owner_password: str
    owner_pin: str


async def create_practice(data: NewPractice, *, settings: Settings) -> tuple[Practice, StaffMember]:
    """A practice with one provider, its offices and an active owner who can manage accounts.
    The owner chose their own password, so no activation step is needed."""
    errors = ErrorCollector()
    name = errors.check(lambda: validation.clean_name(data.name, field="name", max_length=200))
    username = errors.check(lambda: validation.clean_username(data.owner_username))
    email = errors.check(lambda: validation.clean_email(data.owner_email))
    first = errors.check(lambda: validation.clean_name(data.owner_first_name, field="firstName"))
    last = errors.check(lambda: validation.clean_name(data.owner_last_name, field="lastName"))
    errors.check(
        lambda: validation.check_password(
            data.owner_password, confirmation=data.owner_password, username=data.owner_username
        )
    )
    pin = errors.check(lambda: validation.clean_pin(data.owner_pin))
    errors.raise_if_any()
    assert name and username and email and first and last and pin
    if await StaffMember.exists(
        username_key=validation.username_key(username)
    ) or await StaffMember.exists(email=email):
        raise DomainError.single(ErrorCode.TAKEN, "This username or email is already used.")

    password_hash = await hash_secret(data.owner_password, settings)
    pin_hash = hash_pin(pin, settings)
    role = await Role.get(is_system=True, name=ADMINISTRATOR_ROLE)
    async with in_transaction() as db:
        practice = await Practice.create(name=name, plan=data.plan, using_db=db)
        provider = await Provider.create(
            practice=practice,
            first_name=data.provider_first_name,
            last_name=data.provider_last_name,
            using_db=db,
        )
        for office_name in data.office_names:
            await Office.create(practice=practice, name=office_name, using_db=db)
        owner = StaffMember(
            practice=practice,
            role=role,
            primary_provider=provider,
            first_name=first,
            last_name=last,
            username=username,
            username_key=validation.username_key(username),
            email=email,
            password_hash=password_hash,
            pin_hash=pin_hash,
            status=StaffStatus.ACTIVE,
            activated_at=datetime.now(UTC),
        )
        owner.search_text = search_text(owner)
        await owner.save(using_db=db)
        await audit.record(
            action="practice.create",
            practice_id=practice.id,
            actor_id=None,
            target_id=practice.id,
            details={"via": "cli"},
            using_db=db,
        )
    return practice, owner
