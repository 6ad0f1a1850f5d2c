"""The program list's default order, by name in the active language (portal.filters.localized_name),
read off an index: the first page of 20 no longer sorts every program. Korean sorts by name_ko,
the other languages by their name where given, else the Korean one; the second index is of that
very expression, so the planner matches it."""

from django.db import migrations

INDEXES = {
    "program_name_ko_idx": '("name_ko")',
    "program_name_en_idx": """((COALESCE(NULLIF("name_en", ''), "name_ko")))""",
}


def create_indexes(apps, schema_editor):
    for name, columns in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX "{name}" ON "programs_program" {columns}')


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("programs", "0006_program_figures_moved_to_portal")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
