"""The root schema: each domain's queries and mutations, merged."""

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from backend.api.app_unlock_mutations import AppUnlockMutations
from backend.api.audit_queries import AuditQueries
from backend.api.auth_mutations import AuthMutations
from backend.api.login_lock_mutations import LoginLockMutations
from backend.api.masking import MaskUnexpectedErrors
from backend.api.operation_guards import ConditionalIntrospection, CostLimit, HideSuggestions
from backend.api.practice_mutations import PracticeMutations
from backend.api.practice_queries import PracticeQueries
from backend.api.practice_types import Office, Practice, Provider
from backend.api.role_mutations import RoleMutations
from backend.api.role_types import Role
from backend.api.staff_mutations import StaffMutations
from backend.api.staff_queries import StaffQueries
from backend.api.staff_types import StaffMember
from backend.api.two_factor_mutations import TwoFactorMutations


@strawberry.type(description="Read the practice's staff and reference data.")
class Query(PracticeQueries, StaffQueries, AuditQueries):
    pass


@strawberry.type(description="Change staff, roles and sessions.")
class Mutation(
    AuthMutations,
    StaffMutations,
    RoleMutations,
    LoginLockMutations,
    AppUnlockMutations,
    TwoFactorMutations,
    PracticeMutations,
):
    pass


# Built once: each limiter makes a new rule class when constructed, and the rules are part
# of the validation cache's key, so per-request limiters would make every request miss it.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=10).validation_rules,
    *MaxAliasesLimiter(max_alias_count=30).validation_rules,
]


def _extensions() -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    # Factories, not shared instances: an extension instance holds per-request state.
    return [
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=2000),
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        # After ValidationCache: its on_validate must not overwrite the cost error.
        CostLimit,
        ConditionalIntrospection,
        HideSuggestions,
        MaskUnexpectedErrors,
    ]


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[StaffMember, Role, Provider, Office, Practice],
    extensions=_extensions(),
)
