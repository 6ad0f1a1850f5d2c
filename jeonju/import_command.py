"""What the CSV import commands (import_metrics, import_visits) share: their arguments, the
author looked up, and the size limit checked before the file is read."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from .csvio import too_big_message


class CsvImportCommand(BaseCommand):
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

    def author_id(self, username: str | None) -> int | None:
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username).pk
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc

    def check_size(self, file: Path, max_bytes: int | None) -> None:
        try:
            size = file.stat().st_size
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        limit = settings.CSV_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
        if limit and size > limit:
            raise CommandError(f"{file}: {too_big_message(size, limit)} (--max-bytes sets another limit)")

    def run_import(self, importer, file: Path, *, dry_run: bool, user_id: int | None):
        """`importer` (import_metrics, import_visits, import_budget) on the file, read as a stream."""
        with file.open("rb") as stream:
            return importer(
                stream,
                dry_run=dry_run,
                user_id=user_id,
                reason=f"{self.command_name} {file.name}",
                max_bytes=0,  # checked above, with the command's own limit
                file_name=file.name,
            )

    @property
    def command_name(self) -> str:
        return self.__module__.rsplit(".", 1)[-1]

    def refuse(self, file: Path, problems) -> None:
        for problem in problems:
            self.stderr.write(f"{file}: {problem}")
        raise CommandError(f"{file} rejected: {len(problems)} problem(s); nothing was changed.")
