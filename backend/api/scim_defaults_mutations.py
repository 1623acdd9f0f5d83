"""The practice's SCIM defaults (Manage Accounts): what a person provisioned over SCIM
gets for the role, primary provider and offices identity providers never send."""

import strawberry
from strawberry.types import Info

from backend.api.context import Context
from backend.api.errors import UserError, user_errors
from backend.api.ids import parse_reference
from backend.api.permissions import MANAGERS_ONLY
from backend.api.practice_types import Office, Provider
from backend.api.role_types import Role
from backend.models import ScimDefaults as ScimDefaultsModel
from backend.services import scim_defaults
from backend.services.errors import DomainError


@strawberry.type(
    description="What a person created over SCIM gets when the identity provider does not "
    "say. Our SCIM extension's attributes override them per person."
)
class ScimDefaults:
    role: Role | None = strawberry.field(description="Role; none: each create must name one.")
    primary_provider: Provider | None = strawberry.field(
        description="Primary provider; none: each create must name one."
    )
    offices: list[Office] = strawberry.field(
        description="Offices; any: Restrict Offices is on for the person, with these."
    )

    @classmethod
    async def from_model(cls, defaults: ScimDefaultsModel | None) -> "ScimDefaults":
        if defaults is None:
            return cls(role=None, primary_provider=None, offices=[])
        await defaults.fetch_related("role", "primary_provider")
        return cls(
            role=Role.from_model(defaults.role) if defaults.role else None,
            primary_provider=(
                Provider.from_model(defaults.primary_provider)
                if defaults.primary_provider
                else None
            ),
            offices=[Office.from_model(office) for office in defaults.offices],
        )


@strawberry.input(description="The practice's SCIM defaults, all replaced.")
class PracticeSetScimDefaultsInput:
    role_id: strawberry.ID | None = strawberry.field(
        default=None, description="A system role or one of the practice; null: none."
    )
    primary_provider_id: strawberry.ID | None = strawberry.field(
        default=None, description="A provider of the practice; null: none."
    )
    office_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Offices of the practice; empty: unrestricted."
    )


@strawberry.type(description="The defaults after the change, or why nothing changed.")
class PracticeSetScimDefaultsPayload:
    scim_defaults: ScimDefaults | None = strawberry.field(description="The defaults now.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed, if so.")


@strawberry.type
class ScimDefaultsQueries:
    @strawberry.field(
        description="The practice's SCIM defaults (Manage Accounts).",
        permission_classes=MANAGERS_ONLY,
    )
    async def scim_defaults(self, info: Info[Context, None]) -> ScimDefaults:
        viewer = info.context.require_viewer()
        return await ScimDefaults.from_model(await scim_defaults.scim_defaults(viewer.practice_id))


@strawberry.type
class ScimDefaultsMutations:
    @strawberry.mutation(
        description="Set the role, primary provider and offices given to people provisioned "
        "over SCIM. Audited.",
        permission_classes=MANAGERS_ONLY,
    )
    async def practice_set_scim_defaults(
        self, info: Info[Context, None], input: PracticeSetScimDefaultsInput
    ) -> PracticeSetScimDefaultsPayload:
        try:
            defaults = await scim_defaults.set_scim_defaults(
                caller=info.context.require_viewer(),
                role_id=parse_reference(input.role_id, "Role"),
                primary_provider_id=parse_reference(input.primary_provider_id, "Provider"),
                office_ids=[
                    office_id
                    for office_id in (parse_reference(i, "Office") for i in input.office_ids)
                    if office_id is not None
                ],
            )
        except DomainError as error:
            return PracticeSetScimDefaultsPayload(
                scim_defaults=None, user_errors=user_errors(error)
            )
        return PracticeSetScimDefaultsPayload(
            scim_defaults=await ScimDefaults.from_model(defaults), user_errors=[]
        )
