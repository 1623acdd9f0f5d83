"""No introspection for browsers and anonymous callers outside development: the schema is
published as schema.graphql, and introspection only helps someone probing the API."""

from collections.abc import Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule, get_named_type
from graphql.type import is_introspection_type
from strawberry.extensions import SchemaExtension

from backend.api.context import Context
from backend.services.viewer import AuthMethod


class NoIntrospectionRule(ValidationRule):
    """Refuses `__schema` and `__type` (not `__typename`), with a code clients can read."""

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        type_ = get_named_type(self.context.get_type())
        if type_ is not None and is_introspection_type(type_):
            self.report_error(
                GraphQLError(
                    "Introspection is only available in development or to bearer sessions.",
                    node,
                    extensions={"code": "INTROSPECTION_DISABLED"},
                )
            )


def introspection_allowed(context: object) -> bool:
    if not isinstance(context, Context):
        return False
    if context.settings.is_development:
        return True
    # A person's bearer session (the mobile app; the meta says so only for a live one), or
    # an API client (partners generate their clients from the schema).
    if context.api_client is not None:
        return True
    return context.viewer is not None and context.meta.auth_method == AuthMethod.BEARER_SESSION


class ConditionalIntrospection(SchemaExtension):
    """Adds `NoIntrospectionRule` unless the request may introspect. The rules are part
    of the validation cache key, so cached results never leak across the two cases."""

    def on_operation(self) -> Iterator[None]:
        if not introspection_allowed(self.execution_context.context):
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoIntrospectionRule,
            )
        yield
