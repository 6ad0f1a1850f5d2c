"""Writing an import's created and changed rows with their history rows, inside its transaction.

django-simple-history records a history row per save; an import writes in bulk, which it never
sees, so each writer records them: "+" for a created row, "~" for a changed one, with the
import's user, reason and time. On PostgreSQL each batch is COPYed into a temporary table and
one INSERT … ON CONFLICT at the end writes the rows and, in the same statement, their history
rows; elsewhere each batch is bulk-written through django-simple-history's bulk helpers, which
write the history rows as its own saves would. The import calls `write` for each batch, then
`finish` once every batch is in.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import connection
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import YearlyMetric
from .parse import MetricRow
from .plan import Existing

# Rows per INSERT statement (and per INSERT of their history rows) of the generic writer.
WRITE_BATCH = 2000
# Rows per UPDATE statement of the generic writer: each is a CASE over the batch's ids per field.
UPDATE_BATCH = 500
HISTORY_REASON_MAX = YearlyMetric.history.model._meta.get_field("history_change_reason").max_length


def history_defaults(*, user_id: int | None, reason: str, now: datetime.datetime, batch=None) -> dict:
    """The author, reason, time and import batch django-simple-history's bulk helpers record for
    an import."""
    user = get_user_model()._default_manager.filter(pk=user_id).first() if user_id is not None else None
    return {
        "default_user": user,
        "default_change_reason": reason[:HISTORY_REASON_MAX],
        "default_date": now,
        "custom_historical_attrs": {"import_batch": batch},
    }


def writer_for_database(*, user_id: int | None, reason: str, now: datetime.datetime, batch) -> _Writer:
    """The writer for the default database's kind."""
    writer = PostgresWriter if connection.vendor == "postgresql" else BatchWriter
    return writer(user_id=user_id, reason=reason, now=now, batch=batch)


class _Writer:
    def __init__(self, *, user_id: int | None, reason: str, now: datetime.datetime, batch):
        self.user_id, self.reason, self.now, self.batch = user_id, reason[:HISTORY_REASON_MAX], now, batch

    def write(self, created: list[MetricRow], updated: list[tuple[Existing, MetricRow]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass


class BatchWriter(_Writer):
    """Any database: each batch's new rows bulk-created, changed ones bulk-updated, and their
    history rows written by django-simple-history's bulk helpers."""

    FIELDS = ("value", "as_of", "source_id", "approximate")  # what an import changes in a stored row

    def __init__(self, *, user_id: int | None, reason: str, now: datetime.datetime, batch):
        super().__init__(user_id=user_id, reason=reason, now=now, batch=batch)
        self.history = history_defaults(user_id=user_id, reason=reason, now=now, batch=batch)

    def write(self, created: list[MetricRow], updated: list[tuple[Existing, MetricRow]]) -> None:
        history = self.history
        if created:
            bulk_create_with_history(
                [self._metric(r) for r in created], YearlyMetric, batch_size=WRITE_BATCH, **history
            )
        if updated:
            # Whole rows, stored notes and partial flag included: their history rows copy every field.
            changed = [
                self._metric(r, id=old.id, note=old.note, note_ko=old.note_ko, note_en=old.note_en, partial=old.partial)
                for old, r in updated
            ]
            bulk_update_with_history(changed, YearlyMetric, self.FIELDS, batch_size=UPDATE_BATCH, **history)

    @staticmethod
    def _metric(r: MetricRow, **stored) -> YearlyMetric:
        return YearlyMetric(
            program_id=r.program_id,
            indicator_id=r.indicator_id,
            year=r.year,
            kind=r.kind,
            value=r.value,
            as_of=r.as_of,
            source_id=r.source_id,
            approximate=r.approximate,
            **stored,
        )


def _copy_text(rows: Iterable[MetricRow]) -> str:
    """COPY's text format, written directly: ids, years, decimals, dates, the two kind words and
    t/f hold no tab, newline or backslash, so nothing needs escaping; NULL is \\N. (psycopg's
    write_row adapts value by value and is several times slower.)"""
    lines = []
    for r in rows:
        as_of = r.as_of.isoformat() if r.as_of else "\\N"
        source = r.source_id if r.source_id is not None else "\\N"
        approximate = "t" if r.approximate else "f"
        lines.append(
            f"{r.program_id}\t{r.indicator_id}\t{r.year}\t{r.kind}\t{r.value}\t{as_of}\t{source}\t{approximate}\n"
        )
    return "".join(lines)


class PostgresWriter(_Writer):
    """PostgreSQL: each batch COPYed into a temporary table; at the end one statement upserts
    them all and writes their history rows (a data-modifying CTE: the upsert's RETURNING
    feeds the history INSERT)."""

    COLUMNS = "program_id, indicator_id, year, kind, value, as_of, source_id, approximate"

    def __init__(self, *, user_id: int | None, reason: str, now: datetime.datetime, batch):
        super().__init__(user_id=user_id, reason=reason, now=now, batch=batch)
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS metric_import_stage")
            cursor.execute(
                "CREATE TEMPORARY TABLE metric_import_stage (program_id bigint, indicator_id bigint, year smallint,"
                " kind varchar(10), value numeric(20, 2), as_of date, source_id bigint, approximate boolean)"
                " ON COMMIT DROP"
            )

    def write(self, created: list[MetricRow], updated: list[tuple[Existing, MetricRow]]) -> None:
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY metric_import_stage ({self.COLUMNS}) FROM STDIN") as copy,
        ):
            copy.write(_copy_text(itertools.chain(created, (r for _old, r in updated))))

    def finish(self) -> None:
        qn = connection.ops.quote_name
        table = qn(YearlyMetric._meta.db_table)
        history_table = qn(YearlyMetric.history.model._meta.db_table)
        blank = YearlyMetric()
        cols = self.COLUMNS
        # What no import changes: a created row gets the defaults, a changed one keeps its own,
        # and the history row carries them.
        kept = "note, note_ko, note_en, partial"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH written AS (
                    INSERT INTO {table} ({cols}, {kept})
                    SELECT {cols}, %s, %s, %s, %s FROM metric_import_stage
                    ON CONFLICT (program_id, indicator_id, year, kind) DO UPDATE
                        SET value = EXCLUDED.value, as_of = EXCLUDED.as_of, source_id = EXCLUDED.source_id,
                            approximate = EXCLUDED.approximate
                        WHERE ({table}.value, {table}.as_of, {table}.source_id, {table}.approximate)
                            IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.as_of, EXCLUDED.source_id, EXCLUDED.approximate)
                    RETURNING id, {cols}, {kept}, (xmax = 0) AS inserted
                )
                INSERT INTO {history_table}
                    (id, {cols}, {kept}, history_date, history_change_reason, history_type, history_user_id,
                     import_batch_id)
                SELECT id, {cols}, {kept}, %s, %s, CASE WHEN inserted THEN '+' ELSE '~' END, %s, %s FROM written
                """,
                [
                    blank.note,
                    blank.note_ko,
                    blank.note_en,
                    blank.partial,
                    self.now,
                    self.reason,
                    self.user_id,
                    self.batch.pk if self.batch else None,
                ],
            )
