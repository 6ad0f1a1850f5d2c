from django.db import migrations, models
from django.db.models import Count, Max, Min, Sum


def fill_figures(apps, schema_editor):
    """The new figures of every existing program, as portal.figures computes them: planned and
    executed money apart (budget_total added the executed amount where no plan was given), and
    what each sum of yearly counts of visiting organizations covers."""
    ProgramFigures = apps.get_model("portal", "ProgramFigures")
    YearlyMetric = apps.get_model("programs", "YearlyMetric")
    BudgetLine = apps.get_model("programs", "BudgetLine")
    budget = {
        row["program"]: row
        for row in BudgetLine.objects.order_by()
        .values("program")
        .annotate(planned=Sum("planned_amount"), executed=Sum("executed_amount"))
    }
    counted = {
        row["program"]: row
        for row in YearlyMetric.objects.filter(indicator__code="visiting-organizations", kind="actual")
        .order_by()
        .values("program")
        .annotate(
            first=Min("year"), last=Max("year"), years=Count("*"), partial=Count("as_of"), as_of=Max("as_of")
        )
    }
    figures = list(ProgramFigures.objects.all())
    for figure in figures:
        money, count = budget.get(figure.program_id, {}), counted.get(figure.program_id, {})
        figure.planned_total, figure.executed_total = money.get("planned"), money.get("executed")
        figure.counted_first_year, figure.counted_last_year = count.get("first"), count.get("last")
        figure.counted_years, figure.counted_partial_years = count.get("years", 0), count.get("partial", 0)
        figure.counted_as_of = count.get("as_of")
    fields = [
        "planned_total",
        "executed_total",
        "counted_first_year",
        "counted_last_year",
        "counted_years",
        "counted_partial_years",
        "counted_as_of",
    ]
    ProgramFigures.objects.bulk_update(figures, fields, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_visit_figures"),
        ("programs", "0006_program_figures_moved_to_portal"),
    ]

    operations = [
        migrations.RemoveField(model_name="programfigures", name="budget_total"),
        migrations.AddField(
            model_name="programfigures",
            name="planned_total",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="planned budget, all periods (KRW)"),
        ),
        migrations.AddField(
            model_name="programfigures",
            name="executed_total",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="executed amount, all periods (KRW)"),
        ),
        migrations.AddField(
            model_name="programfigures",
            name="counted_first_year",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="first year counted"),
        ),
        migrations.AddField(
            model_name="programfigures",
            name="counted_last_year",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="last year counted"),
        ),
        migrations.AddField(
            model_name="programfigures",
            name="counted_years",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="years counted"),
        ),
        migrations.AddField(
            model_name="programfigures",
            name="counted_partial_years",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="partial years counted"),
        ),
        migrations.AddField(
            model_name="programfigures",
            name="counted_as_of",
            field=models.DateField(blank=True, null=True, verbose_name="latest partial count as of"),
        ),
        migrations.RunPython(fill_figures, migrations.RunPython.noop),
    ]
