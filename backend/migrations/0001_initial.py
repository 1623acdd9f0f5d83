from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.models.outbox import OutboxStatus
from backend.models.practice import Plan
from backend.models.staff import CareTeamIdType, StaffStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Practice',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('plan', fields.CharEnumField(default=Plan.INVOICED, description='NON_INVOICED: NON_INVOICED\nASCLEPIUS: ASCLEPIUS\nINVOICED: INVOICED', enum_type=Plan, max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'practice', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Office',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('practice', fields.ForeignKeyField('models.Practice', source_field='practice_id', db_constraint=True, to_field='id', related_name='offices', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
            ],
            options={'table': 'office', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Provider',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('practice', fields.ForeignKeyField('models.Practice', source_field='practice_id', db_constraint=True, to_field='id', related_name='providers', on_delete=OnDelete.RESTRICT)),
                ('first_name', fields.CharField(max_length=50)),
                ('last_name', fields.CharField(max_length=50)),
                ('npi', fields.CharField(null=True, max_length=10)),
            ],
            options={'table': 'provider', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A clinician of the practice. Staff act on behalf of their primary provider.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Role',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('practice', fields.ForeignKeyField('models.Practice', source_field='practice_id', null=True, db_constraint=True, to_field='id', related_name='roles', on_delete=OnDelete.RESTRICT)),
                ('name', fields.CharField(max_length=100)),
                ('name_key', fields.CharField(max_length=100)),
                ('is_system', fields.BooleanField(default=False)),
                ('permissions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'role', 'app': 'models', 'unique_together': (('practice', 'name_key'),), 'pk_attr': 'id', 'table_description': 'A set of permissions. System roles have no practice and cannot be edited.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffMember',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('practice', fields.ForeignKeyField('models.Practice', source_field='practice_id', db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.RESTRICT)),
                ('role', fields.ForeignKeyField('models.Role', source_field='role_id', db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.RESTRICT)),
                ('primary_provider', fields.ForeignKeyField('models.Provider', source_field='primary_provider_id', db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.RESTRICT)),
                ('offices', fields.ManyToManyField('models.Office', unique=True, db_constraint=True, through='staff_member_office', forward_key='office_id', backward_key='staff_member_id', related_name='staff', on_delete=OnDelete.CASCADE)),
                ('first_name', fields.CharField(max_length=50)),
                ('last_name', fields.CharField(max_length=50)),
                ('care_team_role', fields.CharField(null=True, max_length=64)),
                ('care_team_id_type', fields.CharEnumField(null=True, description='NPI: NPI\nNCSBN_ID: NCSBN_ID', enum_type=CareTeamIdType, max_length=10)),
                ('care_team_id_number', fields.CharField(null=True, max_length=10)),
                ('username', fields.CharField(max_length=150)),
                ('username_key', fields.CharField(unique=True, max_length=150)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('password_hash', fields.CharField(max_length=200)),
                ('pin_hash', fields.CharField(max_length=200)),
                ('cell_phone', fields.CharField(null=True, max_length=16)),
                ('home_phone', fields.CharField(null=True, max_length=16)),
                ('email_update_enabled', fields.BooleanField(default=True)),
                ('restrict_offices', fields.BooleanField(default=False)),
                ('daily_billing_report', fields.BooleanField(default=False)),
                ('status', fields.CharEnumField(default=StaffStatus.PENDING, description='PENDING: PENDING\nACTIVE: ACTIVE\nINACTIVE: INACTIVE', enum_type=StaffStatus, max_length=10)),
                ('two_factor_enabled', fields.BooleanField(default=False)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('activated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deactivated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_member', 'app': 'models', 'indexes': [Index(fields=['practice_id', 'status', 'last_name', 'first_name', 'id'])], 'pk_attr': 'id', 'table_description': 'A person with a login in one practice. Never hard-deleted.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ActivationToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='activation_tokens', on_delete=OnDelete.RESTRICT)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'activation_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An emailed activation link. Only the SHA-256 of the token is stored.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('practice', fields.ForeignKeyField('models.Practice', source_field='practice_id', null=True, db_constraint=True, to_field='id', related_name='audit_events', on_delete=OnDelete.RESTRICT)),
                ('actor', fields.ForeignKeyField('models.StaffMember', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='audit_actions', on_delete=OnDelete.RESTRICT)),
                ('action', fields.CharField(max_length=64)),
                ('outcome', fields.CharField(default='SUCCESS', max_length=16)),
                ('target_id', fields.CharField(null=True, max_length=64)),
                ('ip', fields.CharField(null=True, max_length=64)),
                ('user_agent', fields.CharField(null=True, max_length=300)),
                ('request_id', fields.CharField(null=True, max_length=64)),
                ('details', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'audit_event', 'app': 'models', 'indexes': [Index(fields=['practice_id', 'created_at']), Index(fields=['target_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'Who did what to whom, when, from where. Never holds a secret.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=32)),
                ('practice', fields.ForeignKeyField('models.Practice', source_field='practice_id', db_constraint=True, to_field='id', related_name='outbox', on_delete=OnDelete.RESTRICT)),
                ('staff', fields.ForeignKeyField('models.StaffMember', source_field='staff_id', null=True, db_constraint=True, to_field='id', related_name='outbox', on_delete=OnDelete.RESTRICT)),
                ('recipient', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=200)),
                ('body_text', fields.TextField(null=True, unique=False)),
                ('body_html', fields.TextField(null=True, unique=False)),
                ('status', fields.CharEnumField(default=OutboxStatus.QUEUED, description='QUEUED: QUEUED\nSENT: SENT\nFAILED: FAILED\nSUPERSEDED: SUPERSEDED', enum_type=OutboxStatus, max_length=12)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'outbox_message', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['staff_id', 'kind', 'created_at'])], 'pk_attr': 'id', 'table_description': 'An email written in the same transaction as the change that causes it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.RESTRICT)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ip', fields.CharField(null=True, max_length=64)),
                ('user_agent', fields.CharField(null=True, max_length=300)),
            ],
            options={'table': 'session', 'app': 'models', 'indexes': [Index(fields=['staff_id', 'revoked_at'])], 'pk_attr': 'id', 'table_description': 'A signed-in session. Only the SHA-256 of the opaque token is stored.'},
            bases=['Model'],
        ),
    ]
