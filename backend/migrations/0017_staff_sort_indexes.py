"""Indexes for sorting the staff list by column (issue 16): (practice, status, column, id)
per order, mirroring the name index of a tab. Plain indexes: last sign-in's nulls are
read as their own IS NULL range (backend/services/staff_order), so no NULLS LAST DDL."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0016_login_throttle_staff")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="StaffMember",
            index=Index(fields=["practice_id", "status", "username_key", "id"]),
        ),
        ops.AddIndex(
            model_name="StaffMember",
            index=Index(fields=["practice_id", "status", "email", "id"]),
        ),
        ops.AddIndex(
            model_name="StaffMember",
            index=Index(fields=["practice_id", "status", "created_at", "id"]),
        ),
        ops.AddIndex(
            model_name="StaffMember",
            index=Index(fields=["practice_id", "status", "last_sign_in_at", "id"]),
        ),
        ops.AddIndex(
            model_name="StaffMember",
            index=Index(fields=["practice_id", "status", "primary_provider_id", "id"]),
        ),
    ]
