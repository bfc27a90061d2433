"""Notifications become a kind plus parameters, rendered when read."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def keep_old_texts(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Notices written before parameters existed keep their text as it was written."""
    notification = apps.get_model("desk", "Notification")
    for row in notification.objects.only("pk", "message").iterator(chunk_size=1000):
        notification.objects.filter(pk=row.pk).update(params={"text": row.message})


def restore_old_texts(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    notification = apps.get_model("desk", "Notification")
    for row in notification.objects.only("pk", "params").iterator(chunk_size=1000):
        notification.objects.filter(pk=row.pk).update(message=str(row.params.get("text", ""))[:300])


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="notification",
            name="delivered_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(keep_old_texts, restore_old_texts),
        migrations.RemoveField(model_name="notification", name="message"),
    ]
