from datetime import datetime

from tortoise import fields
from tortoise.models import Model


class PersistedQuery(Model):
    """A document an Automatic Persisted Queries client sent once with its SHA-256, so that
    later requests may send the hash alone. Not trusted (anyone may add one) and bounded:
    the least recently used are pruned beyond PERSISTED_QUERIES_MAX."""

    sha256 = fields.CharField(max_length=64, primary_key=True)
    body = fields.TextField()
    created_at: datetime = fields.DatetimeField(auto_now_add=True)
    # Refreshed at most once an hour per query (backend/services/persisted_queries.py).
    last_used_at: datetime = fields.DatetimeField()

    class Meta:
        table = "persisted_query"
        indexes = (("last_used_at",),)
