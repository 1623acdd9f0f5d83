from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_password_reset_request')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SessionToken',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('generation', fields.IntField()),
                ('access_hash', fields.CharField(unique=True, max_length=64)),
                ('refresh_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('access_expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('rotated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'session_token', 'app': 'models', 'unique_together': (('session_id', 'generation'),), 'pk_attr': 'id', 'table_description': 'One access and refresh token pair of a bearer session, the family of its pairs.'},
            bases=['Model'],
        ),
    ]
