"""Trusted documents (issue 15): documents client teams register, and the bounded store of
Automatic Persisted Queries."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_outbox_mime')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PersistedQuery',
            fields=[
                ('sha256', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'persisted_query', 'app': 'models', 'indexes': [Index(fields=['last_used_at'])], 'pk_attr': 'sha256', 'table_description': 'A document an Automatic Persisted Queries client sent once with its SHA-256, so that'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RegisteredDocument',
            fields=[
                ('document_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=71)),
                ('body', fields.TextField(unique=False)),
                ('operation_type', fields.CharField(max_length=12)),
                ('operation_name', fields.CharField(null=True, max_length=200)),
                ('manifest_name', fields.CharField(default='', max_length=200)),
                ('registered_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'registered_document', 'app': 'models', 'pk_attr': 'document_id', 'table_description': 'A GraphQL document a client team registered (staff-accounts documents add): trusted'},
            bases=['Model'],
        ),
    ]
