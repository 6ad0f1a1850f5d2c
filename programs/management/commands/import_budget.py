"""Import budget lines from a CSV budget sheet: the same reader and checks as the admin's budget
import.

    python manage.py import_budget FILE [--dry-run] [--user USERNAME] [--max-bytes N]

A file with any problem is refused whole (exit status 1, every problem printed with its line
and column, nothing written); an executed amount over its plan is printed as a warning.
"""

from pathlib import Path

from jeonju.import_command import CsvImportCommand
from programs.batches import earlier_import_warnings
from programs.importing.budget import import_budget
from programs.models import ImportKind


class Command(CsvImportCommand):
    help = "Import budget lines from a CSV budget sheet (all or nothing)."

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, max_bytes: int | None, **options):
        user_id = self.author_id(user)
        self.check_size(file, max_bytes)
        outcome = self.run_import(import_budget, file, dry_run=dry_run, user_id=user_id)
        if not outcome.ok:
            self.refuse(file, outcome.parsed.problems)
        for warning in earlier_import_warnings(ImportKind.BUDGET, file, outcome):
            self.stdout.write(self.style.WARNING(f"{file}: {warning}"))
        for warning in outcome.warnings:
            self.stdout.write(self.style.WARNING(f"{file}: {warning}"))
        counts = outcome.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.parsed.row_count} budget lines: created {counts['created']}, updated {counts['updated']}, "
                f"unchanged {counts['unchanged']}" + (" (dry run: nothing written)" if dry_run else "")
            )
        )
