from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0009_refresh_tokens')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiClient',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('practice', fields.ForeignKeyField('models.Practice', source_field='practice_id', db_constraint=True, to_field='id', related_name='api_clients', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('scopes', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.ForeignKeyField('models.StaffMember', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='api_clients_created', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_ip', fields.CharField(null=True, max_length=64)),
                ('bucket_tokens', fields.FloatField(default=0)),
                ('bucket_at', fields.FloatField(default=0)),
            ],
            options={'table': 'api_client', 'app': 'models', 'indexes': [Index(fields=['practice_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "A partner system's machine credential for one practice. Not a staff member: it"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiClientSecret',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('client', fields.ForeignKeyField('models.ApiClient', source_field='client_id', db_constraint=True, to_field='id', related_name='secrets', on_delete=OnDelete.CASCADE)),
                ('secret_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'api_client_secret', 'app': 'models', 'indexes': [Index(fields=['client_id', 'expires_at'])], 'pk_attr': 'id', 'table_description': 'A secret of an API client: only its SHA-256 is stored. A rotated-out secret keeps'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AuditEvent',
            name='api_client',
            field=fields.ForeignKeyField('models.ApiClient', source_field='api_client_id', null=True, db_constraint=True, to_field='id', related_name='audit_actions', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddConstraint(
            model_name='AuditEvent',
            constraint=CheckConstraint(check='actor_id IS NULL OR api_client_id IS NULL', name='audit_event_one_actor'),
        ),
        # On SQLite, adding the constraint rebuilds the table without its indexes: put them
        # back under their PostgreSQL names (where they are still there, and this does nothing).
        ops.RunSQL(
            [
                'CREATE INDEX IF NOT EXISTS "idx_audit_event_practic_8b2519" ON "audit_event" ("practice_id", "created_at")',
                'CREATE INDEX IF NOT EXISTS "idx_audit_event_target__b49eac" ON "audit_event" ("target_id", "created_at")',
            ]
        ),
    ]
