import django.db.models.deletion
from django.db import migrations, models

from inhouse.core.migration_operations import DropFieldIndex


class Migration(migrations.Migration):
    # Most requests have no assignee when filed, no parent and no legal hold: their
    # indexes hold only the rows where the key is set, so a new request writes none.

    dependencies = [
        ("desk", "0012_covered_foreign_key_indexes"),
        ("org", "0002_sign_in_attempts"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="request",
            name="req_assignee",
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(("assignee__isnull", False)),
                fields=["assignee", "status"],
                name="req_assignee",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="request",
                    name="legal_hold_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="org.person",
                    ),
                ),
                migrations.AlterField(
                    model_name="request",
                    name="parent",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="children",
                        to="desk.request",
                    ),
                ),
            ],
            database_operations=[
                DropFieldIndex("request", "legal_hold_by"),
                DropFieldIndex("request", "parent"),
            ],
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(("parent__isnull", False)),
                fields=["parent", "id"],
                name="req_children",
            ),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(("legal_hold_by__isnull", False)),
                fields=["legal_hold_by", "id"],
                name="req_legal_hold_by",
            ),
        ),
    ]
