"""The seed's indicators that counted in the catch-all "count" unit get the unit of what they
count (246 hydrogen cars are 246대 / "246 vehicles", not "246 count"). Only a row still in
"count" is changed: a unit set otherwise by staff stays."""

from django.db import migrations

UNITS = {
    "self-sufficiency-workplaces": "workplaces",
    "ondure-communities": "communities",
    "apartment-communities": "communities",
    "one-stop-care-windows": "neighborhoods",
    "donor-merchants": "merchants",
    "hydrogen-cars": "vehicles",
}


def set_units(apps, schema_editor):
    Indicator = apps.get_model("programs", "Indicator")
    for code, unit in UNITS.items():
        Indicator.objects.filter(code=code, unit="count").update(unit=unit)


def back_to_count(apps, schema_editor):
    Indicator = apps.get_model("programs", "Indicator")
    for code, unit in UNITS.items():
        Indicator.objects.filter(code=code, unit=unit).update(unit="count")


class Migration(migrations.Migration):
    dependencies = [("programs", "0008_metric_qualifiers_and_units")]

    operations = [migrations.RunPython(set_units, back_to_count)]
