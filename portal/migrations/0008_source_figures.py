import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count


def fill_figures(apps, schema_editor):
    """Each existing source's figures, as portal.figures computes them."""
    Source = apps.get_model("policies", "Source")
    SourceFigures = apps.get_model("portal", "SourceFigures")
    citing = {
        "visit_count": apps.get_model("visits", "Visit").objects.all(),
        "counted_values": apps.get_model("programs", "YearlyMetric").objects.filter(
            indicator__code="visiting-organizations", kind="actual"
        ),
        "budget_line_count": apps.get_model("programs", "BudgetLine").objects.all(),
    }
    counts = {
        field: dict(rows.exclude(source=None).order_by().values_list("source").annotate(n=Count("*")))
        for field, rows in citing.items()
    }
    SourceFigures.objects.bulk_create(
        [
            SourceFigures(source_id=pk, **{field: counts[field].get(pk, 0) for field in citing})
            for pk in Source.objects.values_list("pk", flat=True)
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0002_search_trigram_indexes"),
        ("portal", "0007_indicator_figures_reporting"),
        ("programs", "0011_search_trigram_indexes"),
        ("visits", "0007_search_trigram_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SourceFigures",
            fields=[
                (
                    "source",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="figures",
                        serialize=False,
                        to="policies.source",
                        verbose_name="source",
                    ),
                ),
                ("visit_count", models.PositiveIntegerField(default=0, verbose_name="named visits")),
                (
                    "counted_values",
                    models.PositiveIntegerField(default=0, verbose_name="yearly counts of visiting organizations"),
                ),
                ("budget_line_count", models.PositiveIntegerField(default=0, verbose_name="budget lines")),
            ],
            options={
                "verbose_name": "source figures",
                "verbose_name_plural": "source figures",
            },
        ),
        migrations.RunPython(fill_figures, migrations.RunPython.noop),
    ]
