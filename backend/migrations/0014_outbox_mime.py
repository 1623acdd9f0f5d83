"""Outbox: the whole MIME message, rendered once when queued (issue 15, B7)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_webhooks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboxMessage',
            name='mime',
            field=fields.TextField(null=True, unique=False),
        ),
    ]
