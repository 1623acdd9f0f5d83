from datetime import datetime

from tortoise import fields
from tortoise.models import Model


class RegisteredDocument(Model):
    """A GraphQL document a client team registered (staff-accounts documents add): trusted
    like the SPA's own and never changed, since its id is the SHA-256 of its text."""

    # "sha256:" and 64 hex digits: the GraphQL-over-HTTP document identifier of `body`.
    document_id = fields.CharField(max_length=71, primary_key=True)
    body = fields.TextField()
    operation_type = fields.CharField(max_length=12)
    operation_name = fields.CharField(max_length=200, null=True)
    # The `name` the client's manifest gave it (Apollo's manifests name every operation).
    manifest_name = fields.CharField(max_length=200, default="")
    registered_at: datetime = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "registered_document"
