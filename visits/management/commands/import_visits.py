"""Import benchmarking visits from a visitor log saved as CSV: the same reader and checks as the
admin's visit import.

    python manage.py import_visits FILE [--dry-run] [--user USERNAME] [--max-bytes N]

A file with any problem is refused whole (exit status 1, every problem printed with its line
and column, nothing written). Organizations matched by a short form of their name, and those
the file creates, are listed so the clerk can check them (a --dry-run first shows them).
"""

from pathlib import Path

from jeonju.import_command import CsvImportCommand
from programs.batches import earlier_import_warnings
from programs.models import ImportKind
from visits.importing import import_visits


class Command(CsvImportCommand):
    help = "Import benchmarking visits from a CSV visitor log (all or nothing)."

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, max_bytes: int | None, **options):
        user_id = self.author_id(user)
        self.check_size(file, max_bytes)
        outcome = self.run_import(import_visits, file, dry_run=dry_run, user_id=user_id)
        if not outcome.ok:
            self.refuse(file, outcome.parsed.problems)
        for warning in earlier_import_warnings(ImportKind.VISITS, file, outcome):
            self.stdout.write(self.style.WARNING(f"{file}: {warning}"))
        for written, stored in sorted(outcome.matched.items()):
            self.stdout.write(f"matched: {written} → {stored}")
        for new in outcome.new_organizations.values():
            self.stdout.write(f"new organization (line {new.line}): {new.name} ({new.kind}, {new.region})")
        counts = outcome.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"{outcome.parsed.row_count} visits: created {counts['created']}, updated {counts['updated']}, "
                f"unchanged {counts['unchanged']}; {len(outcome.new_organizations)} new organization(s)"
                + (" (dry run: nothing written)" if dry_run else "")
            )
        )
