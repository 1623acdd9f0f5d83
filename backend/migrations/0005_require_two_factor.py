from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_two_factor')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Practice',
            name='require_two_factor_for_managers',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Session',
            name='two_factor_enrollment_required',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
