from urllib.parse import urlsplit

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Cast, Concat

import remarks.models


def rows_keep_their_history(apps, schema_editor):
    """E-mails sent before have state "sent"; every existing row gets a Message-ID of its own."""
    OutboxEmail = apps.get_model("remarks", "OutboxEmail")
    OutboxEmail.objects.filter(sent_at__isnull=False).update(state="sent")
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    OutboxEmail.objects.update(message_id=Concat(models.Value("<outbox-"), Cast("pk", models.CharField()),
                                                 models.Value(f"@{domain}>")))


class Migration(migrations.Migration):

    dependencies = [
        ("remarks", "0005_remove_remark_generated"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="outboxemail",
            name="outbox_pending",
        ),
        migrations.AddField(
            model_name="outboxemail",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboxemail",
            name="message_id",
            field=models.CharField(max_length=255, null=True),
        ),
        migrations.AddField(
            model_name="outboxemail",
            name="next_attempt_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="outboxemail",
            name="requeued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="outboxemail",
            name="state",
            field=models.CharField(choices=[("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
                                   default="pending", max_length=16),
        ),
        migrations.RunPython(rows_keep_their_history, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outboxemail",
            name="message_id",
            field=models.CharField(default=remarks.models.outbox_message_id, max_length=255, unique=True),
        ),
        migrations.AddIndex(
            model_name="outboxemail",
            index=models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
        ),
        migrations.AddConstraint(
            model_name="outboxemail",
            constraint=models.CheckConstraint(
                condition=models.Q(models.Q(("state", "sent"), _negated=True), ("sent_at__isnull", False),
                                   _connector="OR"),
                name="outbox_sent_has_time",
            ),
        ),
    ]
