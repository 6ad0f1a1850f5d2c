import django.core.serializers.json
from django.db import migrations, models


def fill_reporting(apps, schema_editor):
    """Each existing indicator's sums over the programs reporting every year, as portal.figures
    keeps them. reporting_to_keep() takes the historical models it is given, and reads only
    fields these migrations have: its program, indicator, year, kind, value, as_of, partial and
    approximate."""
    from portal.selectors import reporting_to_keep

    Indicator = apps.get_model("programs", "Indicator")
    IndicatorFigures = apps.get_model("portal", "IndicatorFigures")
    for pk, kept in reporting_to_keep(Indicator.objects.order_by("pk")).items():
        IndicatorFigures.objects.filter(indicator_id=pk).update(reporting=kept)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_programfigures_adopted_count"),
        ("programs", "0011_search_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicatorfigures",
            name="reporting",
            field=models.JSONField(
                blank=True,
                encoder=django.core.serializers.json.DjangoJSONEncoder,
                null=True,
                verbose_name="sums over the programs reporting",
            ),
        ),
        migrations.RunPython(fill_reporting, migrations.RunPython.noop),
    ]
