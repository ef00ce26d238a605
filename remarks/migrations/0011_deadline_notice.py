"""Deadline notices: the DeadlineNotice key, and notifications that are about a deadline
rather than an event (remarks.models_deadlines)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('remarks', '0010_receipts_letters_repeats'),
    ]

    operations = [
        migrations.CreateModel(
            name='DeadlineNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('due_soon', 'Due soon'), ('overdue', 'Overdue')], max_length=16)),
                ('due_date', models.DateField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('remark', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+',
                                             to='remarks.remark')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('remark', 'kind', 'due_date'),
                                                        name='deadline_notice_once')],
            },
        ),
        migrations.AddField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('event', 'Event'), ('due_soon', 'Due soon'), ('overdue', 'Overdue')],
                                   default='event', max_length=16),
        ),
        migrations.AddField(
            model_name='notification',
            name='due_date',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='notification',
            name='event',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='remarks.remarkevent'),
        ),
        migrations.AddConstraint(
            model_name='notification',
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(('event__isnull', False), ('kind', 'event')),
                    models.Q(models.Q(('kind', 'event'), _negated=True), ('due_date__isnull', False),
                             ('event__isnull', True)),
                    _connector='OR'),
                name='notification_event_or_deadline'),
        ),
    ]
