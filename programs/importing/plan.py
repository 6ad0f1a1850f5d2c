"""Matching checked rows against the stored ones: what an import creates, updates and leaves alone.

Each batch of rows is sorted into created / updated / unchanged with one query for the stored
rows with its keys (program, indicator, year, kind: the table's unique key), and only the
created and updated ones go on to be written.
"""

from __future__ import annotations

import datetime
import decimal
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import connection

from ..models import YearlyMetric
from .parse import MetricRow


class Existing(NamedTuple):
    id: int
    value: Decimal
    as_of: datetime.date | None
    source_id: int | None
    note: str
    note_ko: str | None
    note_en: str | None
    approximate: bool
    partial: bool


# The key (program_id … kind) after the id, then the fields of Existing.
_EXISTING_COLUMNS = (
    "id",
    "program_id",
    "indicator_id",
    "year",
    "kind",
    "value",
    "as_of",
    "source_id",
    "note",
    "note_ko",
    "note_en",
    "approximate",
    "partial",
)


def _existing_rows(rows: list[MetricRow]) -> list[tuple]:
    """The stored rows with the keys of `rows` (one batch), as (id, program_id, indicator_id,
    year, kind, value, as_of, source_id, note, note_ko, note_en, approximate, partial), in one
    query that joins the batch's exact keys to the table's unique index.

    Raw SQL, not the ORM: modeltranslation resolves `note` per row through its language
    fallback, slow over a large file, and a changed row's history row carries its stored notes
    and its `partial` flag, which no import changes.
    """
    table = connection.ops.quote_name(YearlyMetric._meta.db_table)
    columns = ", ".join(f"m.{c}" for c in _EXISTING_COLUMNS)
    on = "m.program_id = k.program_id AND m.indicator_id = k.indicator_id AND m.year = k.year AND m.kind = k.kind"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The keys as four arrays, written as text: ids, years and the two kind words need no quoting.
            programs, indicators, years, kinds = zip(*[r[1:5] for r in rows], strict=True)
            arrays = ["{" + ",".join(map(str, ids)) + "}" for ids in (programs, indicators, years)]
            arrays.append("{" + ",".join(kinds) + "}")  # (str members: joined as they are)
            # One index lookup per key (LATERAL … LIMIT 1 keeps the planner from hashing the
            # whole table for each batch when its statistics lag behind a large import).
            cursor.execute(
                f"SELECT {columns} FROM unnest(%s::bigint[], %s::bigint[], %s::smallint[], %s::varchar[])"
                f" AS k(program_id, indicator_id, year, kind) CROSS JOIN LATERAL"
                f" (SELECT * FROM {table} m WHERE {on.replace(' ON ', ' ')} LIMIT 1) m",
                arrays,
            )
            return cursor.fetchall()
        # Elsewhere (SQLite) the keys as one JSON parameter: any number of them in one query.
        cursor.execute(
            f"SELECT {columns} FROM (SELECT json_extract(value, '$[0]') AS program_id,"
            " json_extract(value, '$[1]') AS indicator_id, json_extract(value, '$[2]') AS year,"
            f" json_extract(value, '$[3]') AS kind FROM json_each(%s)) k JOIN {table} m ON {on}",
            # (written directly: ids and years are ints, and the kind one of two plain words)
            ["[" + ",".join(f'[{r[1]},{r[2]},{r[3]},"{r[4]}"]' for r in rows) + "]"],
        )
        # SQLite's raw rows hold `value` as an int or float (what the ORM's converter
        # turns back into a Decimal the same way).
        to_decimal = decimal.Context(prec=15).create_decimal_from_float
        cents = Decimal("0.01")
        return [
            (*row[:5], row[5] if isinstance(row[5], Decimal) else to_decimal(row[5]).quantize(cents), *row[6:])
            for row in cursor.fetchall()
        ]


@dataclass
class ImportPlan:
    """What an import does: how many rows it creates, updates and leaves unchanged, and the
    first `keep` rows of each kind (in file order) to show."""

    keep: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("created", "updated", "unchanged"), 0))
    created: list[MetricRow] = field(default_factory=list)
    # (existing row, the row as it will be once written)
    updated: list[tuple[Existing, MetricRow]] = field(default_factory=list)
    unchanged: list[MetricRow] = field(default_factory=list)
    # the programs with a created or updated row (sent with metrics_imported)
    program_ids: set[int] = field(default_factory=set)

    def add(self, rows: list[MetricRow], columns: dict[str, str]) -> tuple[list, list]:
        """Sort one batch into created / updated / unchanged with one query; returns the
        batch's (created, updated) rows, to be written.

        A column left out of the file (as_of, source or approximate) keeps what the database
        has; a blank cell in a column that is there empties it. A value that says about
        (576여) is approximate whatever the stored row says.
        """
        # (Tuples built with tuple.__new__ and indexed by position: this loop runs once a row.)
        new_existing = functools.partial(tuple.__new__, Existing)
        new_row = functools.partial(tuple.__new__, MetricRow)
        # e[1:5] and row[1:5]: (program_id, indicator_id, year, kind), the key
        existing = {e[1:5]: new_existing((e[0], *e[5:])) for e in _existing_rows(rows)}
        keep_as_of = "as_of" not in columns
        keep_source = "source" not in columns
        keep_approximate = "approximate" not in columns
        keep = keep_as_of or keep_source or keep_approximate
        created, updated, unchanged = [], [], []
        get = existing.get
        for row in rows:
            old = get(row[1:5])
            if old is None:
                created.append(row)
                continue
            # old: (id, value, as_of, source_id, note…, approximate, partial);
            # row: (line, …key, value, as_of, source_id, approximate)
            if keep:
                row = new_row(
                    (
                        *row[:6],
                        old[2] if keep_as_of else row[6],
                        old[3] if keep_source else row[7],
                        (row[8] or old[7]) if keep_approximate else row[8],
                    )
                )
            if old[1] == row[5] and old[2] == row[6] and old[3] == row[7] and old[7] == row[8]:
                unchanged.append(row)
            else:
                updated.append((old, row))
        for name, these, sample in (
            ("created", created, self.created),
            ("updated", updated, self.updated),
            ("unchanged", unchanged, self.unchanged),
        ):
            self.counts[name] += len(these)
            sample += these[: self.keep - len(sample)]
        self.program_ids.update(r.program_id for r in created)
        self.program_ids.update(r.program_id for _old, r in updated)
        return created, updated
