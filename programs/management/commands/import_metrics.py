"""Import yearly metrics from a CSV file: the same parser and checks as the admin's import page.

    python manage.py import_metrics FILE [--dry-run] [--user USERNAME] [--max-bytes N]

A file with any problem is refused whole (exit status 1, every problem printed with its line
and column, nothing written). Files over CSV_UPLOAD_MAX_BYTES are refused before they are
read, as in the admin; `--max-bytes N` sets another limit for this run (0: none), for the
yearly bulk files that only the command should take.
"""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from jeonju.csvio import too_big_message
from programs.importing import import_metrics


class Command(BaseCommand):
    help = "Import yearly metrics from a CSV file (upsert on program, indicator, year, kind; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--user", help="Username recorded as the author in the history.")
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=None,
            help="Size limit for this run in bytes (default: settings.CSV_UPLOAD_MAX_BYTES; 0 for none).",
        )

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, max_bytes: int | None, **options):
        from django.conf import settings

        user_id = None
        if user:
            try:
                user_id = get_user_model().objects.get(username=user).pk
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user {user!r}.") from exc
        try:
            size = file.stat().st_size
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        limit = settings.CSV_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
        if limit and size > limit:
            raise CommandError(f"{file}: {too_big_message(size, limit)} (--max-bytes sets another limit)")

        started = time.perf_counter()
        with file.open("rb") as stream:  # read a batch at a time, never whole
            outcome = import_metrics(
                stream, dry_run=dry_run, user_id=user_id, reason=f"import_metrics {file.name}", max_bytes=0
            )
        elapsed = time.perf_counter() - started
        parsed = outcome.parsed
        if not outcome.ok:
            for problem in parsed.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file} rejected: {len(parsed.problems)} problem(s); nothing was changed.")

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
