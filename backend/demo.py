"""The demo practice: "Demo Family Practice" with staff in every status."""

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from backend.config import Settings
from backend.models import Permission, Plan, Practice, Provider, Role, StaffMember, StaffStatus
from backend.services import activation_links, lifecycle, staff
from backend.services.bootstrap import NewPractice, create_practice
from backend.services.staff_input import NewStaff
from backend.services.viewer import Viewer

DEMO_PRACTICE = "Demo Family Practice"
DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "Demo-Practice-2026"
DEMO_STAFF_PASSWORD = "Welcome-Staff-2026"

# (first, last, username, role, final status)
_DEMO_STAFF = [
    ("Camille", "Nurse", "cnurse", "Nurse (System)", StaffStatus.ACTIVE),
    ("Brian", "Biller", "bbiller", "Staff (System)", StaffStatus.ACTIVE),
    ("Fiona", "Frontdesk", "ffrontdesk", "Staff (System)", StaffStatus.PENDING),
    ("Peter", "Pending", "ppending", "Nurse (System)", StaffStatus.PENDING),
    ("Iris", "Inactive", "iinactive", "Staff (System)", StaffStatus.INACTIVE),
]


async def ensure_demo_practice(settings: Settings) -> bool:
    """Create the demo practice unless it exists. True when it was created now."""
    if await Practice.exists(name=DEMO_PRACTICE):
        return False
    practice, owner = await create_practice(
        NewPractice(
            name=DEMO_PRACTICE,
            plan=Plan.INVOICED,
            provider_first_name="Hannah",
            provider_last_name="Provider",
            office_names=["Main Street Office", "Riverside Office"],
            owner_first_name="Alex",
            owner_last_name="Admin",
            owner_username=DEMO_ADMIN_USERNAME,
            owner_email="admin@demo-family-practice.example",
            owner_password=DEMO_ADMIN_PASSWORD,
            owner_pin="0629",
        ),
        settings=settings,
    )
    viewer = Viewer(
        staff_id=owner.id,
        practice_id=practice.id,
        permissions=frozenset(p.value for p in Permission),
    )
    provider = await Provider.get(practice_id=practice.id)
    for first, last, username, role_name, status in _DEMO_STAFF:
        role = await Role.get(is_system=True, name=role_name)
        member = await staff.create_staff(
            caller=viewer,
            data=NewStaff(
                first_name=first,
                last_name=last,
                primary_provider_id=provider.id,
                role_id=role.id,
                username=username,
                email=f"{username}@demo-family-practice.example",
                cell_phone="212-555-01" + str(10 + len(username)),
                password=DEMO_STAFF_PASSWORD,
                password_confirmation=DEMO_STAFF_PASSWORD,
                app_unlock_pin="0736",
            ),
            settings=settings,
        )
        if status == StaffStatus.ACTIVE:
            # Demo data skips the emailed link: the person counts as having activated,
            # and their (not yet sent) activation email is dropped.
            async with in_transaction() as db:
                await (
                    StaffMember.filter(id=member.id)
                    .using_db(db)
                    .update(status=StaffStatus.ACTIVE, activated_at=datetime.now(UTC))
                )
                await activation_links.revoke_all(member.id, using_db=db)
        elif status == StaffStatus.INACTIVE:
            await lifecycle.cancel_verification(caller=viewer, staff_id=member.id)
    return True
