from django.db import migrations, models

from inhouse.core.migration_operations import DropFieldIndex


class Migration(migrations.Migration):
    # The sweep reads running clocks by clock_sweep (breached_at, stopped_at, due_at);
    # no query reads due_at alone, and two clocks a submit wrote four pages into it.

    dependencies = [
        ("sla", "0002_covered_foreign_key_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="clock",
                    name="due_at",
                    field=models.DateTimeField(blank=True, null=True),
                ),
            ],
            database_operations=[DropFieldIndex("clock", "due_at")],
        ),
    ]
