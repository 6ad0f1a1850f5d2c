"""Import yearly metrics from a CSV file: the same parser and checks as the admin's import page.

    python manage.py import_metrics FILE [--dry-run] [--user USERNAME] [--max-bytes N]

A file with any problem is refused whole (exit status 1, every problem printed with its line
and column, nothing written). Files over CSV_UPLOAD_MAX_BYTES are refused before they are
read, as in the admin; `--max-bytes N` sets another limit for this run (0: none), for the
yearly bulk files that only the command should take.
"""

import time
from pathlib import Path

from jeonju.import_command import CsvImportCommand
from programs.batches import earlier_import_warnings
from programs.importing import import_metrics
from programs.models import ImportKind


class Command(CsvImportCommand):
    help = "Import yearly metrics from a CSV file (upsert on program, indicator, year, kind; all or nothing)."

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, max_bytes: int | None, **options):
        user_id = self.author_id(user)
        self.check_size(file, max_bytes)

        started = time.perf_counter()
        outcome = self.run_import(import_metrics, file, dry_run=dry_run, user_id=user_id)
        elapsed = time.perf_counter() - started
        parsed = outcome.parsed
        if not outcome.ok:
            self.refuse(file, parsed.problems)
        for warning in earlier_import_warnings(ImportKind.METRICS, file, outcome):
            self.stdout.write(self.style.WARNING(f"{file}: {warning}"))

        counts = outcome.counts
        rows = parsed.row_count
        self.stdout.write(
            f"{file}: {rows} rows ({parsed.encoding}, {'tab' if parsed.delimiter == chr(9) else 'comma'} separated)"
            f" in {elapsed:.2f} s ({rows / elapsed if elapsed else 0:,.0f} rows/s)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}"
                + (" (dry run: nothing written)" if dry_run else "")
            )
        )
