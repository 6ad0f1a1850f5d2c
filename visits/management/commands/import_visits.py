"""Import benchmarking visits from a visitor log saved as CSV: the same reader and checks as the
admin's visit import.

    python manage.py import_visits FILE [--dry-run] [--user USERNAME] [--max-bytes N]

A file with any problem is refused whole (exit status 1, every problem printed with its line
and column, nothing written). Organizations matched by a short form of their name, and those
the file creates, are listed so the clerk can check them (a --dry-run first shows them).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from jeonju.csvio import too_big_message
from visits.importing import import_visits


class Command(BaseCommand):
    help = "Import benchmarking visits from a CSV visitor log (all or nothing)."

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

        with file.open("rb") as stream:
            outcome = import_visits(
                stream, dry_run=dry_run, user_id=user_id, reason=f"import_visits {file.name}", max_bytes=0
            )
        if not outcome.ok:
            for problem in outcome.parsed.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file} rejected: {len(outcome.parsed.problems)} problem(s); nothing was changed.")
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
