"""Unexpected errors: logged in full with the request id, shown to clients only as a
sentence with that id, so a person can quote it and nothing internal leaks."""

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from backend.api.errors import should_mask_error

logger = logging.getLogger(__name__)


class MaskUnexpectedErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask_error)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        context = self.execution_context.context
        request_id = context.meta.request_id if context is not None else None
        logger.error(
            "unexpected error in %s (request %s)",
            ".".join(str(p) for p in error.path or []) or "operation",
            request_id,
            exc_info=error.original_error,
        )
        return GraphQLError(
            message=f"Unexpected error. Quote reference {request_id} when reporting it.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
