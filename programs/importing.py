"""The one parser, validator and writer of yearly-metric CSV files.

Both ways in use it: the admin's import page (programs/resources.py, through
django-import-export) and `manage.py import_metrics`. The format is documented in the
README's staff guide; in short:

    program,indicator,year,value,kind,as_of,source
    palbok-art-factory,visiting-organizations,2019,92,actual,2019-10-21,3

Korean headers (사업, 지표, 연도, 값, 구분, 기준일, 출처) work as well.

A file is all or nothing: every problem of every row is collected with its line number and
column, and if there is one, nothing is written. The rules are the model's (YearlyMetric's
constraints and clean()); they are restated here rather than calling full_clean() per row,
because full_clean() runs a query per foreign key and the import must not query per row.
tests/programs/test_import.py checks that both agree.

The file is read as a stream, a batch of rows at a time (BATCH_ROWS): each batch is checked,
sorted into created / updated / unchanged against the stored rows with its keys (one query),
and written, all inside one transaction that a problem anywhere in the file rolls back. Memory
is bounded by the batch, not the file. Names are resolved from three small dictionaries
loaded once. On PostgreSQL each batch is COPYed into a temporary table and one
INSERT … ON CONFLICT at the end writes the rows and their history rows; elsewhere each batch
is bulk-written. django-simple-history never sees bulk writes, so the history rows
("+" created, "~" changed) are written here, in the same transaction.

Imports take turns (lock_imports): one that waits too long for another is refused with a
clear message, never a deadlock or a traceback.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO, NamedTuple

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jeonju.csvio import (
    CsvReadError,
    detect_encoding,
    iter_records,
    open_text,
    parse_decimal,
    sniff_delimiter,
    too_big_message,
    unescape_formula_guard,
)
from policies.models import MAX_YEAR, MIN_YEAR, Source

from .models import Indicator, MetricKind, Program, Unit, YearlyMetric
from .signals import metrics_imported

# Canonical column name → the headers accepted for it (compared without case and spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "program": ("program", "사업"),
    "indicator": ("indicator", "지표"),
    "year": ("year", "연도"),
    "value": ("value", "값"),
    "kind": ("kind", "구분"),
    "as_of": ("as_of", "as of", "기준일"),
    "source": ("source", "출처"),
}
REQUIRED_COLUMNS = ("program", "indicator", "year", "value")
KIND_WORDS = {
    "": MetricKind.ACTUAL,
    "actual": MetricKind.ACTUAL,
    "실적": MetricKind.ACTUAL,
    "target": MetricKind.TARGET,
    "목표": MetricKind.TARGET,
}
# YearlyMetric.value is DecimalField(max_digits=20, decimal_places=2).
MAX_VALUE = Decimal(10) ** 18
SOURCE_SEPARATOR = "|"
_DATE = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\.?")
HISTORY_REASON_MAX = 100
# Rows read, checked and written at a time: what the import holds in memory.
BATCH_ROWS = 5000
# Rows per INSERT statement of the generic writer.
WRITE_BATCH = 2000


def _key(text: str) -> str:
    """How names are compared: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()


_HEADER_TO_COLUMN = {_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


class Problem(NamedTuple):
    """One thing wrong with a file: where (line, column as written in the file) and what."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.line:  # the file as a whole
            return self.message
        if self.column:
            return _("line %(line)s, column %(column)s: %(message)s") % self._asdict()
        return _("line %(line)s: %(message)s") % self._asdict()


class MetricRow(NamedTuple):
    line: int
    program_id: int
    indicator_id: int
    year: int
    kind: str
    value: Decimal
    as_of: datetime.date | None
    source_id: int | None

    @property
    def key(self) -> tuple[int, int, int, str]:
        return (self.program_id, self.indicator_id, self.year, self.kind)


@dataclass
class ParsedFile:
    encoding: str = ""
    delimiter: str = ","
    headers: list[str] = field(default_factory=list)
    lookups: Lookups | None = None
    # canonical column name → header as written in the file
    columns: dict[str, str] = field(default_factory=dict)
    row_count: int = 0  # good rows read
    rows: list[MetricRow] = field(default_factory=list)  # only parse_metrics() keeps them
    problems: list[Problem] = field(default_factory=list)
    # the cells of lines that have a problem, for showing them next to the errors
    bad_lines: dict[int, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, line: int, column: str, message: str, cells: list[str] | None = None) -> None:
        self.problems.append(Problem(line, self.columns.get(column, column), message))
        if cells is not None:
            self.bad_lines.setdefault(line, cells)


def source_label(source: Source) -> str:
    """How a source is written in the `source` column: "publisher|title|date" (or the year)."""
    when = source.published_on.isoformat() if source.published_on else str(source.year)
    publisher = source.publisher_ko or source.publisher
    title = source.title_ko or source.title
    return SOURCE_SEPARATOR.join((publisher, title, when))


class Lookups:
    """Programs, indicators and sources by every name a file may use, loaded in three queries."""

    def __init__(self) -> None:
        self.programs: dict[str, int | None] = {}
        self.program_names: dict[int, str] = {}
        for pk, slug, name, name_ko, name_en in Program.objects.values_list("pk", "slug", "name", "name_ko", "name_en"):
            self.program_names[pk] = slug
            self._add(self.programs, pk, slug, name, name_ko, name_en)

        self.indicators: dict[str, int | None] = {}
        self.indicator_units: dict[int, str] = {}
        self.indicator_names: dict[int, str] = {}
        for pk, code, unit, name, name_ko, name_en in Indicator.objects.values_list(
            "pk", "code", "unit", "name", "name_ko", "name_en"
        ):
            self.indicator_units[pk] = unit
            self.indicator_names[pk] = code
            self._add(self.indicators, pk, code, name, name_ko, name_en)

        self.source_ids: set[int] = set()
        self.sources: dict[tuple[str, str, str], int | None] = {}
        fields = ("pk", "publisher", "publisher_ko", "publisher_en", "title", "title_ko", "title_en")
        for pk, pub, pub_ko, pub_en, title, title_ko, title_en, published_on, year in Source.objects.values_list(
            *fields, "published_on", "year"
        ):
            self.source_ids.add(pk)
            dates = {str(year)} | ({published_on.isoformat()} if published_on else set())
            for p in {pub, pub_ko, pub_en} - {None, ""}:
                for t in {title, title_ko, title_en} - {None, ""}:
                    for d in dates:
                        key = (_key(p), _key(t), d)
                        self.sources[key] = None if self.sources.get(key, pk) != pk else pk

    @staticmethod
    def _add(index: dict[str, int | None], pk: int, *names: str | None) -> None:
        for name in {_key(n) for n in names if n}:
            # A name two objects share is ambiguous: it resolves to None and is reported.
            index[name] = None if index.get(name, pk) != pk else pk

    def source_id(self, text: str) -> int | None | str:
        """The id for a `source` cell; an error message (str) when it names no single source."""
        if text.isdigit():
            pk = int(text)
            return pk if pk in self.source_ids else _("there is no source number %(pk)s") % {"pk": pk}
        parts = [p.strip() for p in text.split(SOURCE_SEPARATOR)]
        if len(parts) < 3:
            return _('write a source as its number or as "publisher|title|date" (date YYYY-MM-DD or YYYY)')
        publisher, title, when = parts[0], SOURCE_SEPARATOR.join(parts[1:-1]), parts[-1]
        match = _DATE.fullmatch(when)
        if match:
            try:
                when = datetime.date(*map(int, match.groups())).isoformat()
            except ValueError:
                return _("%(date)s is not a real date") % {"date": parts[-1]}
        pk = self.sources.get((_key(publisher), _key(title), when), 0)
        if pk is None:
            return _("more than one source matches; give its number instead")
        if not pk:
            return _("no source matches %(text)s (add it under Sources first)") % {"text": text}
        return pk


def _parse_year(text: str) -> int | str:
    """The year, or an error message."""
    if not (text.isascii() and text.isdigit()):
        return _("%(text)s is not a year") % {"text": text or '""'}
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        return _("%(year)s is not a year between %(min)s and %(max)s") % {
            "year": year,
            "min": MIN_YEAR,
            "max": MAX_YEAR,
        }
    return year


def _parse_date(text: str) -> datetime.date | str:
    """YYYY-MM-DD (also with . or / and Excel's "2019. 10. 21."), or an error message."""
    match = _DATE.fullmatch(text)
    if not match:
        return _("%(text)s is not a date; write YYYY-MM-DD") % {"text": text}
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return _("%(text)s is not a real date") % {"text": text}


def _parse_value(text: str) -> tuple[Decimal | None, str | None, bool]:
    """(value, error message or None, whether it is negative) for a `value` cell."""
    if text.isascii() and text.isdigit():  # the common case, "1240": no pattern to match
        if len(text) > 18:
            return None, _("%(text)s is too large") % {"text": text}, False
        return Decimal(text), None, False
    if "," in text:  # the next most common, "1,240": no pattern either if the commas are right
        plain = text.replace(",", "")
        if plain.isascii() and plain.isdigit() and len(plain) <= 18 and f"{int(plain):,}" == text:
            return Decimal(plain), None, False
    value = parse_decimal(text)
    if value is None:
        return None, _("%(text)s is not a number") % {"text": text or '""'}, False
    if abs(value) >= MAX_VALUE:
        return None, _("%(text)s is too large") % {"text": text}, False
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        return None, _("%(text)s has more than two decimal places") % {"text": text}, False
    return value, None, value < 0


def parse_metrics(data: bytes, lookups: Lookups | None = None) -> ParsedFile:
    """Read and check a whole file at once, keeping every row in `rows` (for small files: the
    import itself reads a batch at a time). Never writes."""
    parsed = ParsedFile()
    for batch in read_batches(io.BytesIO(data), parsed, lookups):
        parsed.rows.extend(batch)
    return parsed


def read_batches(
    stream: BinaryIO, parsed: ParsedFile, lookups: Lookups | None = None, batch_rows: int | None = None
) -> Iterator[list[MetricRow]]:
    """Read and check a file, yielding its good rows a batch at a time.

    Every problem found goes to `parsed.problems` (a file with one is refused whole), and
    reading goes on to the end so that all of them are listed. What stays in memory is one
    batch, the caches of resolved cells, and one int per (program, indicator) pair for the
    duplicate check, whatever the length of the file.
    """
    try:
        parsed.encoding = detect_encoding(stream)
    except CsvReadError as exc:
        parsed.problem(0, "", str(exc))
        return
    with open_text(stream, parsed.encoding) as text:
        parsed.delimiter = sniff_delimiter(text)
    reader = None
    try:
        with open_text(stream, parsed.encoding) as text:
            reader = _Reader(parsed, iter_records(text, parsed.delimiter), lookups)
            yield from reader.batches(batch_rows or BATCH_ROWS)
    except CsvReadError as exc:
        parsed.problem(0, "", str(exc))
    if reader and reader.duplicates:
        with open_text(stream, parsed.encoding) as text:
            reader.name_first_lines(iter_records(text, parsed.delimiter))


class NameMessages(NamedTuple):
    """What the importer says of a program or indicator cell that names nothing it knows."""

    column: str
    required: str
    ambiguous: str  # %(text)s names more than one
    unknown: str  # %(text)s names none


PROGRAM_NAMES = NameMessages(
    "program",
    gettext_lazy("a program is required"),
    gettext_lazy("%(text)s names more than one program; use the slug"),
    gettext_lazy("unknown program %(text)s (give its slug or name)"),
)
INDICATOR_NAMES = NameMessages(
    "indicator",
    gettext_lazy("an indicator is required"),
    gettext_lazy("%(text)s names more than one indicator; use the code"),
    gettext_lazy("unknown indicator %(text)s (give its code or name)"),
)


def _duplicate_message(first: int | str) -> str:
    return _("the same program, indicator, year and kind as line %(first)s") % {"first": first}


class _Reader:
    """The header, then the rows of one file, checked one by one."""

    def __init__(self, parsed: ParsedFile, records: Iterator[tuple[int, list[str]]], lookups: Lookups | None):
        self.parsed = parsed
        self.records = records
        self.lookups = lookups
        self.check = None  # the row checker, once the header is good
        # A later line with the key of an earlier one: key → indexes of its problems, whose
        # message names the earlier line once it is known (name_first_lines).
        self.duplicates: dict[tuple[int, int, int, str], list[int]] = {}

    def header(self) -> bool:
        parsed = self.parsed
        self.header_line, headers = next(self.records, (1, []))
        if not headers:
            parsed.problem(1, "", _("The file is empty."))
            return False
        parsed.headers = headers
        index: dict[str, int] = {}
        for position, header in enumerate(headers):
            name = _HEADER_TO_COLUMN.get(_key(unescape_formula_guard(header)))
            if name is None:
                parsed.problem(
                    self.header_line,
                    header or f"#{position + 1}",
                    _("unknown column; the columns are %(names)s")
                    % {"names": ", ".join(f"{a[0]} ({a[-1]})" for a in COLUMNS.values())},
                )
            elif name in index:
                parsed.problem(self.header_line, header, _("this column appears twice"))
            else:
                index[name] = position
                parsed.columns[name] = header
        for name in REQUIRED_COLUMNS:
            if name not in index:
                parsed.problem(
                    self.header_line,
                    name,
                    _("required column missing (%(names)s)") % {"names": " / ".join(COLUMNS[name])},
                )
        if parsed.problems:
            return False
        lookups = parsed.lookups = self.lookups or Lookups()
        self.check, self.caches = _row_checker(len(headers), index, lookups, parsed.delimiter)
        return True

    def batches(self, batch_rows: int) -> Iterator[list[MetricRow]]:
        if not self.header():
            return
        parsed, check, duplicates = self.parsed, self.check, self.duplicates
        width = len(parsed.headers)
        # (program id, indicator id) → a bit for each (year, kind) seen: the duplicate check in
        # one small int per pair rather than one entry per row.
        seen: dict[tuple[int, int], int] = {}
        target = MetricKind.TARGET
        batch: list[MetricRow] = []
        for line, cells in self.records:
            row = check(line, cells, parsed)
            if row is None:
                continue
            pair = (row[1], row[2])
            bit = 1 << ((row[3] - MIN_YEAR) * 2 + (row[4] == target))
            mask = seen.get(pair, 0)
            if mask & bit:
                duplicates.setdefault(row.key, []).append(len(parsed.problems))
                parsed.problem(line, "", _duplicate_message("?"), cells + [""] * (width - len(cells)))
                continue
            seen[pair] = mask | bit
            batch.append(row)
            if len(batch) >= batch_rows:
                parsed.row_count += len(batch)
                yield batch
                batch = []
                for cache in self.caches:  # (values repeat less than names: keep memory by the batch)
                    if len(cache) > batch_rows:
                        cache.clear()
        if batch:
            parsed.row_count += len(batch)
            yield batch
        if not parsed.row_count and not parsed.problems:
            parsed.problem(self.header_line + 1, "", _("The file has a header but no rows."))

    def name_first_lines(self, records: Iterator[tuple[int, list[str]]]) -> None:
        """Read the file again up to the first line of each duplicated key (only a file that
        has such a line is read twice) and put that line in the duplicates' messages."""
        quiet = ParsedFile(columns=self.parsed.columns)
        first: dict[tuple[int, int, int, str], int] = {}
        next(records, None)  # the header
        try:
            for line, cells in records:
                row = self.check(line, cells, quiet)
                quiet.problems.clear()
                quiet.bad_lines.clear()
                if row is not None and row.key in self.duplicates and row.key not in first:
                    first[row.key] = line
                    if len(first) == len(self.duplicates):
                        break
        except CsvReadError:  # already reported; the first lines lie before the bad one
            pass
        problems = self.parsed.problems
        for key, indexes in self.duplicates.items():
            for i in indexes:
                problems[i] = problems[i]._replace(message=_duplicate_message(first.get(key, "?")))


def _row_checker(width: int, index: dict[str, int], lookups: Lookups, delimiter: str):
    """The function that checks one row, (line, cells, parsed) → MetricRow or None (its
    problems recorded in `parsed`), and the caches it fills."""
    i_program, i_indicator, i_year, i_value = (index[c] for c in REQUIRED_COLUMNS)
    i_kind, i_as_of, i_source = index.get("kind"), index.get("as_of"), index.get("source")
    # Names, years, kinds, dates and values repeat down a file: each distinct cell is resolved once.
    program_cache: dict[str, int | None] = {}
    indicator_cache: dict[str, int | None] = {}
    year_cache: dict[str, int | str] = {}
    kind_cache: dict[str, str | None] = {}
    date_cache: dict[str, datetime.date | str] = {}
    source_cache: dict[str, int | str] = {}
    value_cache: dict[str, tuple[Decimal | None, str | None, bool]] = {}
    caches = (program_cache, indicator_cache, year_cache, kind_cache, date_cache, source_cache, value_cache)
    indicator_units = lookups.indicator_units
    programs, indicators, source_id_of = lookups.programs, lookups.indicators, lookups.source_id
    new_row = functools.partial(tuple.__new__, MetricRow)  # MetricRow(...) without its __new__
    actual = MetricKind.ACTUAL
    percent = Unit.PERCENT

    def resolve_name(parsed, line, cells, raw: str, cache: dict, lookup: dict, names: NameMessages) -> int | None:
        """A program's or indicator's id from its slug/code or name; 0 or None, with the
        problem recorded, if there is none."""
        found = cache.get(raw, -1)
        if found == -1:
            found = cache[raw] = lookup.get(_key(unescape_formula_guard(raw)), 0)
        if not found:
            text = unescape_formula_guard(raw)
            if not text:
                parsed.problem(line, names.column, str(names.required), cells)
            elif found is None:
                parsed.problem(line, names.column, str(names.ambiguous) % {"text": text}, cells)
            else:
                parsed.problem(line, names.column, str(names.unknown) % {"text": text}, cells)
        return found

    def check(line: int, cells: list[str], parsed: ParsedFile) -> MetricRow | None:
        problems = parsed.problems
        problem = parsed.problem
        count = len(problems)
        too_many = len(cells) > width
        if too_many:
            hint = _("; a number with a thousands separator must be in quotes") if delimiter == "," else ""
            too_many = _("%(n)s cells but the header has %(m)s columns%(hint)s") % {
                "n": len(cells),
                "m": width,
                "hint": hint,
            }
            if any(cells[width:]):
                problem(line, "", too_many, cells)
                return None
            # Empty trailing cells (a stray comma) are forgiven, unless the row is wrong:
            # then the cell count is the likely reason, and is said so below.
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))

        program_id = resolve_name(parsed, line, cells, cells[i_program], program_cache, programs, PROGRAM_NAMES)
        indicator_id = resolve_name(
            parsed, line, cells, cells[i_indicator], indicator_cache, indicators, INDICATOR_NAMES
        )

        text = cells[i_year]
        year = year_cache.get(text, -1)
        if year == -1:
            year = year_cache[text] = _parse_year(unescape_formula_guard(text))
        if isinstance(year, str):
            problem(line, "year", year, cells)
            year = None

        text = cells[i_value]
        parsed_value = value_cache.get(text)
        if parsed_value is None:
            parsed_value = value_cache[text] = _parse_value(text)
        value, error, negative = parsed_value
        if error:
            problem(line, "value", error, cells)
        elif negative and indicator_id and indicator_units[indicator_id] != percent:
            problem(line, "value", _("a count or amount cannot be negative (%(text)s)") % {"text": text}, cells)

        kind = actual
        if i_kind is not None:
            text = cells[i_kind]
            kind = kind_cache.get(text, -1)
            if kind == -1:
                kind = kind_cache[text] = KIND_WORDS.get(_key(unescape_formula_guard(text)))
            if kind is None:
                problem(line, "kind", _("%(text)s is not actual/target (실적/목표)") % {"text": text}, cells)

        as_of = None
        if i_as_of is not None and cells[i_as_of]:
            text = cells[i_as_of]
            as_of = date_cache.get(text)
            if as_of is None:
                as_of = date_cache[text] = _parse_date(unescape_formula_guard(text))
            if isinstance(as_of, str):
                problem(line, "as_of", as_of, cells)
            elif year is not None and as_of.year != year:
                problem(line, "as_of", _("%(date)s is not in the year %(year)s") % {"date": as_of, "year": year}, cells)

        source_id = None
        if i_source is not None and cells[i_source]:
            text = cells[i_source]
            source_id = source_cache.get(text)
            if source_id is None:
                source_id = source_cache[text] = source_id_of(unescape_formula_guard(text))
            if isinstance(source_id, str):
                problem(line, "source", source_id, cells)

        if len(problems) > count:
            if too_many:
                problem(line, "", too_many, cells)
            return None
        return new_row((line, program_id, indicator_id, year, kind, value, as_of, source_id))

    return check, caches


class Existing(NamedTuple):
    id: int
    value: Decimal
    as_of: datetime.date | None
    source_id: int | None
    note: str
    note_ko: str | None
    note_en: str | None


_EXISTING_COLUMNS = ("id", "program_id", "indicator_id", "year", "kind", "value", "as_of", "source_id") + (
    "note",
    "note_ko",
    "note_en",
)


def _existing_rows(rows: list[MetricRow]) -> list[tuple]:
    """The stored rows with the keys of `rows` (one batch), as (id, program_id, indicator_id,
    year, kind, value, as_of, source_id, note, note_ko, note_en), in one query that joins the
    batch's exact keys to the table's unique index.

    Raw SQL, not the ORM: modeltranslation rewrites `note` per row (its language fallback
    alone cost 5 s on 100,000 rows), and only the raw columns belong in a history row.
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
    # the programs with a created or updated row, whose figures the write refreshes
    program_ids: set[int] = field(default_factory=set)

    def add(self, rows: list[MetricRow], columns: dict[str, str]) -> tuple[list, list]:
        """Sort one batch into created / updated / unchanged with one query; returns the
        batch's (created, updated) rows, to be written.

        A column left out of the file (as_of or source) keeps what the database has; a blank
        cell in a column that is there empties it.
        """
        # (Tuples built with tuple.__new__ and indexed by position: this loop runs once a row.)
        new_existing = functools.partial(tuple.__new__, Existing)
        new_row = functools.partial(tuple.__new__, MetricRow)
        # e[1:5] and row[1:5]: (program_id, indicator_id, year, kind), the key
        existing = {e[1:5]: new_existing((e[0], *e[5:])) for e in _existing_rows(rows)}
        keep_as_of = "as_of" not in columns
        keep_source = "source" not in columns
        created, updated, unchanged = [], [], []
        get = existing.get
        for row in rows:
            old = get(row[1:5])
            if old is None:
                created.append(row)
                continue
            # old: (id, value, as_of, source_id, …); row: (line, …key, value, as_of, source_id)
            if keep_as_of or keep_source:
                row = new_row((*row[:6], old[2] if keep_as_of else row[6], old[3] if keep_source else row[7]))
            if old[1] == row[5] and old[2] == row[6] and old[3] == row[7]:
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


@dataclass
class ImportOutcome:
    parsed: ParsedFile
    plan: ImportPlan
    dry_run: bool

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
    try:
        with transaction.atomic():
            writer = None
            if not dry_run:
                lock_imports()
                writer = _PostgresWriter if connection.vendor == "postgresql" else _BatchWriter
                writer = writer(user_id=user_id, reason=reason[:HISTORY_REASON_MAX], now=timezone.now())
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
    except _Refused:
        plan = ImportPlan()
    except OperationalError as exc:
        if not is_lock_conflict(exc):
            raise
        parsed.problems[:] = [Problem(0, "", another_import_message())]
        parsed.bad_lines.clear()
        plan = ImportPlan()
    return ImportOutcome(parsed, plan, dry_run)


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


class _BatchWriter:
    """Any database: each batch's new rows bulk_created, changed ones bulk_updated, and their
    history rows bulk_created."""

    def __init__(self, *, user_id: int | None, reason: str, now: datetime.datetime):
        self.user_id, self.reason, self.now = user_id, reason, now
        self.History = YearlyMetric.history.model  # (the `history` descriptor builds a manager each time)
        blank = YearlyMetric()
        self.blank_notes = (blank.note, blank.note_ko, blank.note_en)

    def write(self, created: list[MetricRow], updated: list[tuple[Existing, MetricRow]]) -> None:
        new = [
            YearlyMetric(
                program_id=r.program_id,
                indicator_id=r.indicator_id,
                year=r.year,
                kind=r.kind,
                value=r.value,
                as_of=r.as_of,
                source_id=r.source_id,
            )
            for r in created
        ]
        YearlyMetric.objects.bulk_create(new, batch_size=WRITE_BATCH)
        changed = [YearlyMetric(id=old.id, value=r.value, as_of=r.as_of, source_id=r.source_id) for old, r in updated]
        YearlyMetric.objects.bulk_update(changed, ["value", "as_of", "source_id"], batch_size=500)
        records = [self.history(obj.pk, r, self.blank_notes, "+") for obj, r in zip(new, created, strict=True)]
        records += [self.history(old.id, r, (old.note, old.note_ko, old.note_en), "~") for old, r in updated]
        self.History.objects.bulk_create(records, batch_size=WRITE_BATCH)

    def history(self, pk: int, r: MetricRow, notes: Iterable, history_type: str):
        note, note_ko, note_en = notes
        return self.History(
            id=pk,
            program_id=r.program_id,
            indicator_id=r.indicator_id,
            year=r.year,
            kind=r.kind,
            value=r.value,
            as_of=r.as_of,
            source_id=r.source_id,
            note=note,
            note_ko=note_ko,
            note_en=note_en,
            history_date=self.now,
            history_type=history_type,
            history_user_id=self.user_id,
            history_change_reason=self.reason,
        )

    def finish(self) -> None:
        pass


def _copy_text(rows: Iterable[MetricRow]) -> str:
    """COPY's text format, written directly: ids, years, decimals, dates and the two kind words
    hold no tab, newline or backslash, so nothing needs escaping; NULL is \\N. (psycopg's
    write_row adapts value by value and is several times slower.)"""
    lines = []
    for r in rows:
        as_of = r.as_of.isoformat() if r.as_of else "\\N"
        source = r.source_id if r.source_id is not None else "\\N"
        lines.append(f"{r.program_id}\t{r.indicator_id}\t{r.year}\t{r.kind}\t{r.value}\t{as_of}\t{source}\n")
    return "".join(lines)


class _PostgresWriter:
    """PostgreSQL: each batch COPYed into a temporary table; at the end one statement upserts
    them all and writes their history rows (a data-modifying CTE: the upsert's RETURNING
    feeds the history INSERT)."""

    COLUMNS = "program_id, indicator_id, year, kind, value, as_of, source_id"

    def __init__(self, *, user_id: int | None, reason: str, now: datetime.datetime):
        self.user_id, self.reason, self.now = user_id, reason, now
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS metric_import_stage")
            cursor.execute(
                "CREATE TEMPORARY TABLE metric_import_stage (program_id bigint, indicator_id bigint, year smallint,"
                " kind varchar(10), value numeric(20, 2), as_of date, source_id bigint) ON COMMIT DROP"
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
        kept = "note, note_ko, note_en"
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH written AS (
                    INSERT INTO {table} ({cols}, {kept})
                    SELECT {cols}, %s, %s, %s FROM metric_import_stage
                    ON CONFLICT (program_id, indicator_id, year, kind) DO UPDATE
                        SET value = EXCLUDED.value, as_of = EXCLUDED.as_of, source_id = EXCLUDED.source_id
                        WHERE ({table}.value, {table}.as_of, {table}.source_id)
                            IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.as_of, EXCLUDED.source_id)
                    RETURNING id, {cols}, {kept}, (xmax = 0) AS inserted
                )
                INSERT INTO {history_table}
                    (id, {cols}, {kept}, history_date, history_change_reason, history_type, history_user_id)
                SELECT id, {cols}, {kept}, %s, %s, CASE WHEN inserted THEN '+' ELSE '~' END, %s FROM written
                """,
                [blank.note, blank.note_ko, blank.note_en, self.now, self.reason, self.user_id],
            )
