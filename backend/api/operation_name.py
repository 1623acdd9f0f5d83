"""Leaves the name of the operation a request ran in its ASGI scope, where the HTTP
layer's metrics (backend/http/metrics.py) read it once the answer is sent."""

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from backend.api.context import Context

# In scope["state"]: present once an operation was parsed, its name or None if unnamed.
SCOPE_KEY = "graphql_operation"


class NoteOperationName(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        # Before execution, so that an operation cancelled by the timeout is named too.
        self._note()
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        # After parsing and validation, for operations that never reached execution.
        self._note()

    def _note(self) -> None:
        context = self.execution_context.context
        if isinstance(context, Context) and self.execution_context.graphql_document:
            state = context.request.scope.setdefault("state", {})
            state[SCOPE_KEY] = self.execution_context.operation_name
