from django.db import migrations, models

# The short names of the agencies the demo data and the first deployments know, by code:
# (Kazakh, Russian, English). Filled only where a short name is still empty.
KNOWN = {
    "MDDIAI": ("ЦДИАӨМ", "МЦРИАП", "MDDIAI"),
    "GOV4C": ("Мемкорпорация", "Госкорпорация", "GfC"),
    "MIA": ("ІІМ", "МВД", "MIA"),
    "KAZPOST": ("Қазпошта", "Казпочта", "Kazpost"),
    "NIT": ("ҰАТ", "НИТ", "NIT"),
    "MH": ("ДСМ", "МЗ", "MoH"),
    "MJ": ("ӘМ", "МЮ", "MoJ"),
    "MFA": ("СІМ", "МИД", "MFA"),
}


def fill_short_names(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    for agency in Agency.objects.filter(code__in=KNOWN):
        names = dict(zip(("short_kk", "short_ru", "short_en"), KNOWN[agency.code], strict=True))
        changed = [field for field, value in names.items() if not getattr(agency, field)]
        for field in changed:
            setattr(agency, field, names[field])
        if changed:
            agency.save(update_fields=changed)


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0004_letterheads_and_positions'),
    ]

    operations = [
        migrations.AddField(
            model_name='agency',
            name='short_en',
            field=models.CharField(blank=True, max_length=32, verbose_name='short name (English)'),
        ),
        migrations.AddField(
            model_name='agency',
            name='short_kk',
            field=models.CharField(blank=True, max_length=32, verbose_name='short name (Kazakh)'),
        ),
        migrations.AddField(
            model_name='agency',
            name='short_ru',
            field=models.CharField(blank=True, max_length=32, verbose_name='short name (Russian)'),
        ),
        migrations.RunPython(fill_short_names, migrations.RunPython.noop),
    ]
