"""The visit list sorts undated visits after the dated ones on every database, and its index
follows: PostgreSQL sorts NULLs first in DESC order unless told, SQLite last (and cannot say
NULLS LAST in an index, so there the plain DESC index is the same order)."""

from django.db import migrations, models

INDEX = "visit_list_order_idx"


def create_index(apps, schema_editor):
    nulls_last = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'CREATE INDEX "{INDEX}" ON "visits_visit" ("year" DESC, "visited_on" DESC{nulls_last})')


def drop_index(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0001_initial"),
        ("programs", "0003_metric_import_fewer_indexes"),
        ("visits", "0003_visit_list_order_index"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="visit",
            options={
                "ordering": [
                    models.OrderBy(models.F("year"), descending=True),
                    models.OrderBy(models.F("visited_on"), descending=True, nulls_last=True),
                    "program",
                    "organization",
                ],
                "verbose_name": "benchmarking visit",
                "verbose_name_plural": "benchmarking visits",
            },
        ),
        migrations.RemoveIndex(model_name="visit", name=INDEX),
        migrations.RunPython(create_index, drop_index),
    ]
