from django.db import migrations, models
from django.db.models import Count


def count_adopted(apps, schema_editor):
    # The published follow-up answers already given, counted as portal.figures counts them.
    FollowUp = apps.get_model("visits", "FollowUp")
    ProgramFigures = apps.get_model("portal", "ProgramFigures")
    published = FollowUp.objects.filter(approved=True).order_by()
    counts = published.values_list("request__programs").annotate(n=Count("request__organization", distinct=True))
    for program_id, n in counts:
        if program_id is not None:
            ProgramFigures.objects.filter(program_id=program_id).update(adopted_count=n)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_site_texts"),
        ("visits", "0005_visit_desk"),
    ]

    operations = [
        migrations.AddField(
            model_name="programfigures",
            name="adopted_count",
            field=models.PositiveIntegerField(default=0, verbose_name="organizations that took something home"),
        ),
        migrations.RunPython(count_adopted, migrations.RunPython.noop),
    ]
