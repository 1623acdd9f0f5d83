from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_login_throttle')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TwoFactorRecoveryCode',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('staff', fields.ForeignKeyField('models.StaffMember', source_field='staff_id', db_constraint=True, to_field='id', related_name='recovery_codes', on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'two_factor_recovery_code', 'app': 'models', 'unique_together': (('staff_id', 'code_hash'),), 'pk_attr': 'id', 'table_description': 'A single-use two-factor recovery code. Only the SHA-256 of the code is stored.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='StaffMember',
            name='totp_last_step',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='StaffMember',
            name='totp_secret_encrypted',
            field=fields.CharField(null=True, max_length=255),
        ),
    ]
