"""The root schema: each domain's queries and mutations, merged."""

from collections.abc import Callable, Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from backend.api.account_mutations import AccountMutations
from backend.api.activation_queries import ActivationQueries
from backend.api.api_client_mutations import ApiClientMutations
from backend.api.api_client_queries import ApiClientQueries
from backend.api.api_client_types import ApiClient
from backend.api.app_unlock_mutations import AppUnlockMutations
from backend.api.audit_queries import AuditQueries
from backend.api.auth_mutations import AuthMutations
from backend.api.cost_limit import CostLimit
from backend.api.error_codes import ErrorCode
from backend.api.error_policy import ErrorPolicy
from backend.api.introspection import ConditionalIntrospection
from backend.api.literal_check import ValueFreeLiterals
from backend.api.login_lock_mutations import LoginLockMutations
from backend.api.operation_name import NoteOperationName
from backend.api.practice_mutations import PracticeMutations
from backend.api.practice_queries import PracticeQueries
from backend.api.practice_types import Office, Practice, Provider
from backend.api.role_mutations import RoleMutations
from backend.api.role_types import Role
from backend.api.scim_defaults_mutations import ScimDefaultsMutations, ScimDefaultsQueries
from backend.api.session_refresh_mutations import SessionRefreshMutations
from backend.api.staff_access_mutations import StaffAccessMutations
from backend.api.staff_bulk_mutations import StaffBulkMutations
from backend.api.staff_mutations import StaffMutations
from backend.api.staff_queries import StaffQueries
from backend.api.staff_types import StaffMember
from backend.api.two_factor_mutations import TwoFactorMutations
from backend.api.variable_check import CheckVariables
from backend.api.webhook_mutations import WebhookMutations
from backend.api.webhook_queries import WebhookQueries
from backend.planner.executor import PlannedExecutionContext


@strawberry.type(description="Read the practice's staff and reference data.")
class Query(
    PracticeQueries,
    StaffQueries,
    AuditQueries,
    ApiClientQueries,
    ScimDefaultsQueries,
    WebhookQueries,
    ActivationQueries,
):
    pass


@strawberry.type(description="Change staff, roles and sessions.")
class Mutation(
    AuthMutations,
    StaffMutations,
    StaffBulkMutations,
    RoleMutations,
    LoginLockMutations,
    AppUnlockMutations,
    TwoFactorMutations,
    PracticeMutations,
    AccountMutations,
    StaffAccessMutations,
    SessionRefreshMutations,
    ApiClientMutations,
    ScimDefaultsMutations,
    WebhookMutations,
):
    pass


# Built once: each limiter makes a new rule class when constructed, and the rules are part
# of the validation cache's key, so per-request limiters would make every request miss it.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=10).validation_rules,
    *MaxAliasesLimiter(max_alias_count=30).validation_rules,
]


class ParseErrorsInsideCache(ParserCache):
    """ParserCache raises a syntax error while entering the parsing step, where strawberry
    handles it after every extension has finished (so ErrorPolicy never saw it). Leaving
    the document unset instead makes strawberry parse again inside its own error handling."""

    def on_parse(self) -> Iterator[None]:
        try:
            yield from super().on_parse()
        except GraphQLError:
            self.execution_context.graphql_document = None
            yield


def _extensions() -> list[type[SchemaExtension] | Callable[[], SchemaExtension]]:
    # Factories, not shared instances: an extension instance holds per-request state.
    return [
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=2000),
        lambda: ParseErrorsInsideCache(maxsize=256),
        # Before ValidationCache: the swapped rule is part of the cache's key.
        ValueFreeLiterals,
        lambda: ValidationCache(maxsize=256),
        # After ValidationCache: its on_validate must not overwrite the cost error.
        CostLimit,
        ConditionalIntrospection,
        CheckVariables,
        ErrorPolicy,
        NoteOperationName,
    ]


class StaffAccountsSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Nothing: ErrorPolicy logs each error once, at its level and without input values.
        strawberry's own logging writes every error at ERROR, client mistakes included, with
        the query text and variables (passwords and tokens) in the message."""


schema = StaffAccountsSchema(
    query=Query,
    mutation=Mutation,
    # ErrorCode documents `extensions.code`; no field returns it.
    types=[StaffMember, Role, Provider, Office, Practice, ApiClient, ErrorCode],
    extensions=_extensions(),
    # Queries over the staff types take the planned path (GRAPHQL_PLANNER); the rest, and
    # anything the plan cannot answer without an error, the normal executor.
    execution_context_class=PlannedExecutionContext,
)
