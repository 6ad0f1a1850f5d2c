import importlib

from django.db import migrations, models

fill_reporting = importlib.import_module("portal.migrations.0007_indicator_figures_reporting").fill_reporting


def fill_figures(apps, schema_editor):
    """The budget figures, as portal.figures computes them, and the indicators' kept sums again:
    they now keep each year's latest as-of date too (portal.selectors.ReportingTotal)."""
    from portal.figures import budget_figures_to_keep

    BudgetFigures = apps.get_model("portal", "BudgetFigures")
    lines = apps.get_model("programs", "BudgetLine").objects.all()
    BudgetFigures.objects.bulk_create([BudgetFigures(**row) for row in budget_figures_to_keep(lines)])
    fill_reporting(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_source_figures"),
        ("programs", "0011_search_trigram_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="BudgetFigures",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("amount", models.CharField(max_length=10, verbose_name="amount")),
                ("period", models.CharField(max_length=20, verbose_name="period")),
                ("line_count", models.PositiveIntegerField(default=0, verbose_name="budget lines")),
                ("total", models.BigIntegerField(blank=True, null=True, verbose_name="sum (KRW)")),
                ("first_year", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="first year")),
                ("last_year", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="last year")),
            ],
            options={
                "verbose_name": "budget figures",
                "verbose_name_plural": "budget figures",
                "constraints": [
                    models.UniqueConstraint(fields=("amount", "period"), name="budget_figures_amount_period")
                ],
            },
        ),
        migrations.RunPython(fill_figures, migrations.RunPython.noop),
    ]
