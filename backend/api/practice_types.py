"""Practice records: the practice, its providers and offices, care-team roles."""

import strawberry

from backend.api.ids import to_global_id
from backend.api.relay import Node
from backend.models import Office as OfficeModel
from backend.models import Plan
from backend.models import Practice as PracticeModel
from backend.models import Provider as ProviderModel
from backend.services.plans import seat_limit

PlanEnum = strawberry.enum(Plan, name="Plan", description="The practice's subscription plan.")


@strawberry.type(description="A medical practice; every account belongs to exactly one.")
class Practice(Node):
    name: str = strawberry.field(description="Display name of the practice.")
    plan: Plan = strawberry.field(description="Subscription plan; it sets the seat limit.")
    seat_limit: int | None = strawberry.field(
        description="Most pending plus active staff accounts the plan allows; null: unlimited."
    )
    seats_used: int = strawberry.field(description="Pending plus active staff accounts now.")
    require_two_factor_for_managers: bool = strawberry.field(
        description="Accounts whose role holds Manage Accounts must enrol in two-factor "
        "sign-in at their next sign-in (practiceSetTwoFactorRequirement)."
    )

    @classmethod
    def from_model(cls, practice: PracticeModel, seats_used: int) -> "Practice":
        return cls(
            id=to_global_id("Practice", practice.id),
            name=practice.name,
            plan=practice.plan,
            seat_limit=seat_limit(practice.plan),
            seats_used=seats_used,
            require_two_factor_for_managers=practice.require_two_factor_for_managers,
        )


@strawberry.type(description="A clinician of the practice; staff act on behalf of one.")
class Provider(Node):
    first_name: str = strawberry.field(description="Given name.")
    last_name: str = strawberry.field(description="Family name.")
    full_name: str = strawberry.field(description="First and last name.")
    npi: str | None = strawberry.field(description="National Provider Identifier, if known.")

    @classmethod
    def from_model(cls, provider: ProviderModel) -> "Provider":
        return cls(
            id=to_global_id("Provider", provider.id),
            first_name=provider.first_name,
            last_name=provider.last_name,
            full_name=f"{provider.first_name} {provider.last_name}",
            npi=provider.npi,
        )


@strawberry.type(description="A location of the practice.")
class Office(Node):
    name: str = strawberry.field(description="Display name of the office.")

    @classmethod
    def from_model(cls, office: OfficeModel) -> "Office":
        return cls(id=to_global_id("Office", office.id), name=office.name)


@strawberry.type(description="A role a staff member can hold on a patient's care team.")
class CareTeamRole:
    code: str = strawberry.field(description="Stable code, e.g. CHRONIC_CARE_NURSE.")
    name: str = strawberry.field(
        description='Display name, e.g. "Chronic care nurse (occupation)".'
    )
