from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.models.account_token import AccountTokenPurpose
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_practice_name_order')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='account_tokens', on_delete=OnDelete.RESTRICT)),
                ('purpose', fields.CharEnumField(description='PASSWORD_RESET: PASSWORD_RESET\nEMAIL_CHANGE: EMAIL_CHANGE', enum_type=AccountTokenPurpose, max_length=20)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('new_email', fields.CharField(null=True, max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_token', 'app': 'models', 'indexes': [Index(fields=['staff_id', 'purpose'])], 'pk_attr': 'id', 'table_description': 'An emailed single-use link of account self-service (a password reset or the'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Session',
            name='password_change_required',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='StaffMember',
            name='last_sign_in_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='StaffMember',
            name='password_change_required',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
