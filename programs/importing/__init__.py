"""The one parser, validator and writer of yearly-metric CSV files.

Both ways in use it: the admin's import page (programs/resources.py, through
django-import-export) and `manage.py import_metrics`.

- `columns`: the file's columns, the headers accepted for them, the kind words;
- `parse`: reading a file a batch of rows at a time and checking every row (the model's rules);
- `plan`: sorting each batch into created / updated / unchanged against the stored rows;
- `write`: writing the created and updated rows with their history rows.

`import_metrics` runs the four in one transaction, a batch at a time: a problem anywhere in the
file rolls back what was written before it, so a file is imported whole or not at all. Once the
rows are written, still inside the transaction, `programs.signals.metrics_imported` tells what
is derived from them (bulk writes send no model signals).

Imports take turns (lock_imports): one that waits too long for another is refused with a
clear message, never a deadlock or a traceback.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jeonju.csvio import too_big_message

from ..batches import finish_batch, start_batch
from ..models import ImportKind, YearlyMetric
from ..signals import metrics_imported
from .columns import COLUMNS, source_label
from .parse import Lookups, MetricRow, ParsedFile, Problem, parse_metrics, read_batches
from .plan import Existing, ImportPlan
from .write import writer_for_database

__all__ = [
    "COLUMNS",
    "IMPORT_LOCK_KEY",
    "Existing",
    "ImportOutcome",
    "ImportPlan",
    "Lookups",
    "MetricRow",
    "ParsedFile",
    "Problem",
    "another_import_message",
    "import_metrics",
    "is_lock_conflict",
    "lock_imports",
    "parse_metrics",
    "source_label",
    "too_big_message",
]


@dataclass
class ImportOutcome:
    parsed: ParsedFile
    plan: ImportPlan
    dry_run: bool
    batch_pk: int | None = None  # the import batch that records it, once written

    @property
    def ok(self) -> bool:
        return self.parsed.ok

    @property
    def counts(self) -> dict[str, int]:
        return self.plan.counts


def another_import_message() -> str:
    return _("Another import is running; nothing was written. Try again in a minute.")


class _Refused(Exception):
    """Raised inside the import's transaction to undo the batches written before a problem."""


def import_metrics(
    data: bytes | BinaryIO,
    *,
    dry_run: bool = False,
    user_id: int | None = None,
    reason: str = "CSV import",
    max_bytes: int | None = None,
    keep: int = 0,
    file_name: str = "",
) -> ImportOutcome:
    """Read, check and (unless dry_run or a problem is found) write a file, a batch at a
    time, all in one transaction. `data` is the file's bytes or a seekable binary file;
    `keep` is how many rows of each kind the outcome lists (for a preview)."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    size = len(data) if isinstance(data, bytes | bytearray) else stream.seek(0, io.SEEK_END)
    limit = settings.CSV_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    parsed = ParsedFile()
    if limit and size > limit:
        parsed.problem(0, "", too_big_message(size, limit))
        return ImportOutcome(parsed, ImportPlan(), dry_run)
    plan = ImportPlan(keep=keep)
    batch_pk = None
    try:
        with transaction.atomic():
            writer = record = None
            if not dry_run:
                lock_imports()
                record = start_batch(ImportKind.METRICS, stream, user_id=user_id, file_name=file_name)
                writer = writer_for_database(user_id=user_id, reason=reason, now=timezone.now(), batch=record)
            for batch in read_batches(stream, parsed):
                if not parsed.ok:  # refused: read on only to list every problem
                    continue
                created, updated = plan.add(batch, parsed.columns)
                if writer and (created or updated):
                    writer.write(created, updated)
            if not parsed.ok:
                raise _Refused
            if writer and plan.program_ids:
                writer.finish()
                metrics_imported.send(YearlyMetric, program_ids=plan.program_ids)
            if record:
                finish_batch(record, plan.counts)
                batch_pk = record.pk
    except _Refused:
        plan, batch_pk = ImportPlan(), None
    except OperationalError as exc:
        if not is_lock_conflict(exc):
            raise
        parsed.problems[:] = [Problem(0, "", another_import_message())]
        parsed.bad_lines.clear()
        plan, batch_pk = ImportPlan(), None
    return ImportOutcome(parsed, plan, dry_run, batch_pk)


# Any fixed bigint, the same in every process: imports take it in turn (pg_advisory_xact_lock).
IMPORT_LOCK_KEY = 0x6A656F6E6A75  # "jeonju"


def lock_imports() -> None:
    """Wait for any other import to commit or roll back (PostgreSQL; SQLite lets one writer in
    at a time by itself). Two imports writing overlapping rows in different orders would
    otherwise deadlock. The wait is bounded by IMPORT_LOCK_TIMEOUT_SECONDS: then
    LockNotAvailable, which import_metrics turns into a clear refusal."""
    if connection.vendor != "postgresql":
        return
    seconds = getattr(settings, "IMPORT_LOCK_TIMEOUT_SECONDS", 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        (previous,) = cursor.fetchone()
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{max(1, round(seconds * 1000))}ms"])
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


# SQLSTATEs of a lost race for locks: deadlock_detected, lock_not_available.
_LOCK_CONFLICTS = {"40P01", "55P03"}


def is_lock_conflict(exc: OperationalError) -> bool:
    """Whether a database error means another writer held what the import needed."""
    if getattr(exc.__cause__, "sqlstate", None) in _LOCK_CONFLICTS:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(exc)
