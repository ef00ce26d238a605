"""A support keeps the body that held the remark when it was given, and so does its withdrawal:
the commissioners' table counts both there, and a rebuild reads it instead of placing the
support among the remark's events by time (time is not commit order: a transition takes its
moment before it locks the remark). The supports already given get the holder the history
gives at their moment; then the facts are replayed from the history (a no-op on a new database)."""

import django.db.models.deletion
from django.db import migrations, models


def holder_at(events, moment, agencies):
    """The holder after the history's events up to this moment, as the replay of 0017 found it
    (a frozen copy: this migration must not change with the code)."""
    holder = None
    for created_at, payload in events:
        if created_at > moment:
            break
        payload = payload or {}
        if payload.get("agency"):
            holder = agencies.get(payload["agency"], holder)
        if payload.get("outcome") == "hand_over" and payload.get("competent_agency"):
            holder = agencies.get(payload["competent_agency"], holder)
    return holder


def fill_holders(apps, schema_editor):
    RemarkEvent = apps.get_model("remarks", "RemarkEvent")
    if not RemarkEvent.objects.exists():
        return
    agencies = dict(apps.get_model("agencies", "Agency").objects.values_list("code", "pk"))
    for name, moment in (("Support", "created_at"), ("SupportWithdrawal", "given_at")):
        model = apps.get_model("remarks", name)
        remark_ids = sorted(set(model.objects.values_list("remark_id", flat=True)))
        for start in range(0, len(remark_ids), 2000):  # the histories of 2,000 remarks a query
            chunk = remark_ids[start:start + 2000]
            histories = {pk: [] for pk in chunk}
            for remark_id, created_at, payload in (RemarkEvent.objects.filter(remark_id__in=chunk)
                                                   .exclude(to_status="").order_by("remark_id", "created_at", "pk")
                                                   .values_list("remark_id", "created_at", "payload")):
                histories[remark_id].append((created_at, payload))
            rows = list(model.objects.filter(remark_id__in=chunk))
            for row in rows:
                row.agency_id = holder_at(histories[row.remark_id], getattr(row, moment), agencies)
            model.objects.bulk_update(rows, ["agency"], batch_size=2000)
    from remarks.stats import facts

    facts.rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0005_short_names'),
        ('remarks', '0017_author_facts'),
    ]

    operations = [
        migrations.AddField(
            model_name='support',
            name='agency',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='agencies.agency'),
        ),
        migrations.AddField(
            model_name='supportwithdrawal',
            name='agency',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='agencies.agency'),
        ),
        migrations.RunPython(fill_holders, migrations.RunPython.noop),
    ]
