"""The hook: graphql-core's executor with the planned path in front of its root fields.

It runs where graphql-core would execute the operation's root fields, so everything
before execution is unchanged on both paths: parsing, validation, the depth, alias, token
and cost limits, introspection rules, variable coercion, and the trusted-documents check
(in the view, before strawberry runs). So is everything around it: the timeout, error
masking and logging. Authorization stays in the resolvers, which the plan calls too.

The normal executor stays the reference: an operation the planner does not cover, or any
error on the planned path (a refused permission, a domain error, a null where the schema
forbids one), runs on it from the start, and its answer, errors included, is the one
returned. The planned path only answers operations that complete without an error, and
those only read, so running one of them again on the normal path changes nothing."""

import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from graphql import GraphQLError, GraphQLObjectType
from graphql.execution.collect_fields import DeferUsage, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from backend.planner.compile import Plan
from backend.planner.plans import plan_for
from backend.planner.results import NotPlannable, ResultBuilder
from backend.services.errors import (
    AuthenticationRequired,
    DomainError,
    FieldError,
    Overloaded,
    PermissionDenied,
)

logger = logging.getLogger(__name__)


@dataclass
class PlannerCounts:
    """How operations ran, for tests and for a look from a debugger."""

    planned: int = 0  # answered by the plan
    refused: int = 0  # not covered: normal path
    fell_back: int = 0  # the plan raised: normal path

    def reset(self) -> None:
        self.planned = self.refused = self.fell_back = 0


counts = PlannerCounts()

# What resolvers raise by design (the normal path turns them into the answer's errors),
# and a null the plan cannot place: no fault of the plan.
_EXPECTED = (
    GraphQLError,
    NotPlannable,
    DomainError,
    FieldError,
    AuthenticationRequired,
    PermissionDenied,
    Overloaded,
)


class PlannedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = self._plan()
        if plan is None:
            return super().execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )

        async def planned_or_normal() -> dict[str, Any]:
            try:
                data = await ResultBuilder(self).run(plan.root, root_value)
            except _EXPECTED:
                # Expected for refused permissions, domain errors and nulls: the normal
                # path answers them with their errors.
                counts.fell_back += 1
            except Exception as fault:
                # A fault of the plan (or an unexpected error): the normal path answers,
                # but the operation's work is done twice, so it is said. By its type only:
                # an error the normal path meets again is logged there, traceback and all,
                # once.
                logger.warning(
                    "planned path failed (%s); the normal executor answers",
                    type(fault).__name__,
                )
                counts.fell_back += 1
            else:
                counts.planned += 1
                return data
            normal = super(PlannedExecutionContext, self).execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )
            if self.is_awaitable(normal):
                return await cast("Awaitable[dict[str, Any]]", normal)
            return cast("dict[str, Any]", normal)

        return planned_or_normal()

    def _plan(self) -> Plan | None:
        settings = getattr(self.context_value, "settings", None)
        if not getattr(settings, "graphql_planner", False):
            return None
        # A schema extension with a `resolve` hook wraps every resolver; the plan would
        # skip it.
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            counts.refused += 1
            return None
        plan = plan_for(self.schema, self.operation, self.fragment_definitions)
        if not isinstance(plan, Plan):
            counts.refused += 1
            return None
        return plan
