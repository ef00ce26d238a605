"""The commissioners' table gets facts of its own (remarks.stats.models.AuthorFact) and a
withdrawn support leaves a record (SupportWithdrawal). The facts are replayed by 0018."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def replay_facts(apps, schema_editor):
    # The replay writes the facts of today's code, whose tables are complete only after the
    # last migration that changes them: 0018_support_holder replays then.
    pass


class Migration(migrations.Migration):

    dependencies = [
        ('remarks', '0016_stored_search_document'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuthorFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('measure', models.CharField(choices=[('filed', 'Filed'), ('routed', 'Routed'), ('resolved', 'Resolved'), ('supported', 'Supported'), ('supporting', 'Supporting')], max_length=16)),
                ('user', models.PositiveIntegerField()),
                ('detail', models.BooleanField(default=True)),
                ('agency', models.PositiveIntegerField(default=0)),
                ('service', models.PositiveIntegerField(default=0)),
                ('category', models.PositiveIntegerField(default=0)),
                ('kind', models.CharField(blank=True, default='', max_length=16)),
                ('n', models.IntegerField()),
                ('grain', models.PositiveSmallIntegerField(choices=[(0, 'Pending'), (1, 'Day'), (2, 'Total'), (3, 'Days')], default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['grain', 'day', 'detail'], name='authorfact_grain_day')],
            },
        ),
        migrations.CreateModel(
            name='SupportWithdrawal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('given_at', models.DateTimeField()),
                ('withdrawn_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('remark', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='remarks.remark')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.RunPython(replay_facts, migrations.RunPython.noop),
    ]
