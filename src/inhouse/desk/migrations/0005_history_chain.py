"""Chain every request's history: each event gets its place and digest, each request its head.

The existing events are chained in the order the history has always been shown in
(``created_at``, then id), a batch of requests at a time: one read of their events and
one ``executemany`` per table per batch, so a million events take one pass. The
digests come from ``inhouse.desk.history_chain``, whose serialisation is a contract
that this migration relies on staying as it is.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from inhouse.desk.history_chain import GENESIS, event_digest

REQUESTS_PER_BATCH = 2_000


def chain_existing_history(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Request = apps.get_model("desk", "Request")
    RequestEvent = apps.get_model("desk", "RequestEvent")
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    update_events = (
        f"UPDATE {quote(RequestEvent._meta.db_table)} SET {quote('sequence')} = %s, "  # noqa: S608 - names are ours
        f"{quote('digest')} = %s WHERE {quote('id')} = %s"
    )
    update_requests = (
        f"UPDATE {quote(Request._meta.db_table)} SET {quote('history_length')} = %s, "  # noqa: S608 - names are ours
        f"{quote('history_digest')} = %s WHERE {quote('id')} = %s"
    )
    last_pk = 0
    while True:
        request_ids = list(
            Request.objects.using(connection.alias)
            .filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:REQUESTS_PER_BATCH]
        )
        if not request_ids:
            break
        last_pk = request_ids[-1]
        rows = (
            RequestEvent.objects.using(connection.alias)
            .filter(request_id__gte=request_ids[0], request_id__lte=last_pk)
            .order_by("request_id", "created_at", "pk")
            .values_list("pk", "request_id", "actor_id", "kind", "data", "is_public", "created_at")
        )
        heads: dict[int, tuple[int, str]] = dict.fromkeys(request_ids, (0, GENESIS))
        stamped: list[tuple[int, str, int]] = []
        for pk, request_id, actor_id, kind, data, is_public, created_at in rows:
            length, previous = heads[request_id]
            digest = event_digest(
                request_id=request_id,
                sequence=length + 1,
                actor_id=actor_id,
                kind=kind,
                data=data,
                is_public=is_public,
                created_at=created_at,
                previous=previous,
            )
            heads[request_id] = (length + 1, digest)
            stamped.append((length + 1, digest, pk))
        with connection.cursor() as cursor:
            cursor.executemany(update_events, stamped)
            cursor.executemany(
                update_requests,
                [(length, digest, pk) for pk, (length, digest) in heads.items() if length],
            )
    if connection.vendor == "postgresql":
        # Fire any deferred checks now, so the constraints below alter a settled table.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0004_queue_index_ends_in_id"),
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
