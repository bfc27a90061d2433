"""Chain every request's history: each event gets its place and digest, each request its head.

The existing events are chained in the order the history has always been shown in
(``created_at``, then id) by ``inhouse.desk.history_chain.chain_stored_history``: a
batch of requests at a time, one read of their events and one ``executemany`` per
table per batch, so a million events take one pass. Its serialisation is a contract
that this migration relies on staying as it is.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from inhouse.desk.history_chain import chain_stored_history


def chain_existing_history(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    chain_stored_history(
        apps.get_model("desk", "Request"),
        apps.get_model("desk", "RequestEvent"),
        using=schema_editor.connection.alias,
    )
    if schema_editor.connection.vendor == "postgresql":
        # Fire any deferred checks now, so the constraints below alter a settled table.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0005_request_legal_hold"),
    ]

    operations = [
        migrations.AddField(
            model_name="request",
            name="history_length",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="request",
            name="history_digest",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="requestevent",
            name="sequence",
            field=models.PositiveIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="requestevent",
            name="digest",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        # Going back drops the columns, so there is nothing to undo.
        migrations.RunPython(chain_existing_history, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="requestevent",
            constraint=models.UniqueConstraint(
                fields=("request", "sequence"), name="event_chain_place"
            ),
        ),
        migrations.AddConstraint(
            model_name="requestevent",
            constraint=models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="event_chain_sequence"
            ),
        ),
    ]
