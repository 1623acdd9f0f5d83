"""What the activation page needs to know about its link before the person types."""

from datetime import datetime

import strawberry

from backend.services import account_activation


@strawberry.type(description="A usable activation link and the form it leads to.")
class ActivationLink:
    expires_at: datetime = strawberry.field(description="When the link stops working.")
    given_password: bool = strawberry.field(
        description="True when the administrator gave the person a password (and a PIN): "
        "accountActivate then asks for it. False for a person provisioned over SCIM, who "
        "chooses a password and newAppUnlockPin instead."
    )


@strawberry.type
class ActivationQueries:
    @strawberry.field(
        description="The activation form a link leads to; null when the link is invalid, "
        "already used or expired. Public, and read only: it uses nothing and counts no "
        "attempt."
    )
    async def activation_link(self, token: str) -> ActivationLink | None:
        form = await account_activation.link_form(token)
        if form is None:
            return None
        return ActivationLink(expires_at=form.expires_at, given_password=not form.chooses_secrets)
