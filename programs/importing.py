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

Speed: names are resolved from three small dictionaries loaded once, the existing rows for
the touched programs and indicators come in one query, and the writes go in batches
(PostgreSQL: COPY into a temporary table and one INSERT … ON CONFLICT that also writes the
history rows). django-simple-history never sees bulk writes, so the history rows
("+" created, "~" changed) are written here, in the same transaction.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import functools
import gc
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jeonju.cache import bump_generation
from jeonju.csvio import (
    CsvReadError,
    decode_bytes,
    iter_records,
    parse_decimal,
    sniff_delimiter,
    unescape_formula_guard,
)
from policies.models import MAX_YEAR, MIN_YEAR, Source

from .figures import refresh_program_figures
from .models import Indicator, MetricKind, Program, Unit, YearlyMetric

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
# Rows read at once (column by column) before falling back to row by row for a run with a problem.
PARSE_RUN_ROWS = 5000


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
    rows: list[MetricRow] = field(default_factory=list)
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


def _is_int(value) -> bool:
    return type(value) is int


def _is_not_none(value) -> bool:
    return value is not None


def _not_error(value) -> bool:
    """A resolved cell that is not an error message."""
    return not isinstance(value, str)


def parse_metrics(data: bytes, lookups: Lookups | None = None) -> ParsedFile:
    """Read and check a whole file. Returns every row or every problem; never writes."""
    parsed = ParsedFile()
    try:
        decoded = decode_bytes(data)
    except CsvReadError as exc:
        parsed.problem(0, "", str(exc))
        return parsed
    parsed.encoding = decoded.encoding
    parsed.delimiter = sniff_delimiter(decoded.text)
    try:
        return _parse_records(parsed, iter_records(decoded.text, parsed.delimiter), lookups)
    except CsvReadError as exc:
        parsed.rows.clear()
        parsed.problem(0, "", str(exc))
        return parsed


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


def _parse_records(parsed: ParsedFile, records, lookups: Lookups | None) -> ParsedFile:
    header_line, headers = next(records, (1, []))
    if not headers:
        parsed.problem(1, "", _("The file is empty."))
        return parsed
    parsed.headers = headers
    index: dict[str, int] = {}
    for position, header in enumerate(headers):
        name = _HEADER_TO_COLUMN.get(_key(unescape_formula_guard(header)))
        if name is None:
            parsed.problem(
                header_line,
                header or f"#{position + 1}",
                _("unknown column; the columns are %(names)s")
                % {"names": ", ".join(f"{a[0]} ({a[-1]})" for a in COLUMNS.values())},
            )
        elif name in index:
            parsed.problem(header_line, header, _("this column appears twice"))
        else:
            index[name] = position
            parsed.columns[name] = header
    for name in REQUIRED_COLUMNS:
        if name not in index:
            parsed.problem(
                header_line, name, _("required column missing (%(names)s)") % {"names": " / ".join(COLUMNS[name])}
            )
    if parsed.problems:
        return parsed

    lookups = parsed.lookups = lookups or Lookups()
    width = len(headers)
    i_program, i_indicator, i_year, i_value = (index[c] for c in REQUIRED_COLUMNS)
    i_kind, i_as_of, i_source = index.get("kind"), index.get("as_of"), index.get("source")
    seen: dict[tuple[int, int, int, str], int] = {}
    program_cache: dict[str, int | None] = {}
    indicator_cache: dict[str, int | None] = {}
    year_cache: dict[str, int | str] = {}
    kind_cache: dict[str, str | None] = {}
    date_cache: dict[str, datetime.date | str] = {}
    source_cache: dict[str, int | str] = {}
    value_cache: dict[str, tuple[Decimal | None, str | None, bool]] = {}
    indicator_units = lookups.indicator_units
    rows = parsed.rows
    problems = parsed.problems
    problem = parsed.problem
    new_row = functools.partial(tuple.__new__, MetricRow)  # MetricRow(...) without its __new__

    def resolve_name(line, cells, raw: str, cache: dict, lookup: dict, names: NameMessages) -> int | None:
        """A program's or indicator's id from its slug/code or name, each distinct cell resolved
        once (names repeat down a file); 0 or None, with the problem recorded, if there is none."""
        found = cache.get(raw, -1)
        if found == -1:
            found = cache[raw] = lookup.get(_key(unescape_formula_guard(raw)), 0)
        if not found:
            text = unescape_formula_guard(raw)
            if not text:
                problem(line, names.column, str(names.required), cells)
            elif found is None:
                problem(line, names.column, str(names.ambiguous) % {"text": text}, cells)
            else:
                problem(line, names.column, str(names.unknown) % {"text": text}, cells)
        return found

    def one_by_one(records) -> None:
        """Check each row in turn, naming every problem by line and column."""
        for line, cells in records:
            count = len(problems)
            too_many = len(cells) > width
            if too_many:
                hint = _("; a number with a thousands separator must be in quotes") if parsed.delimiter == "," else ""
                too_many = _("%(n)s cells but the header has %(m)s columns%(hint)s") % {
                    "n": len(cells),
                    "m": width,
                    "hint": hint,
                }
                if any(cells[width:]):
                    problem(line, "", too_many, cells)
                    continue
                # Empty trailing cells (a stray comma) are forgiven, unless the row is wrong:
                # then the cell count is the likely reason, and is said so below.
            elif len(cells) < width:
                cells = cells + [""] * (width - len(cells))

            # Names, years, kinds and dates repeat down a file: each distinct cell is resolved once.
            program_id = resolve_name(line, cells, cells[i_program], program_cache, lookups.programs, PROGRAM_NAMES)
            indicator_id = resolve_name(
                line, cells, cells[i_indicator], indicator_cache, lookups.indicators, INDICATOR_NAMES
            )

            text = cells[i_year]
            year = year_cache.get(text, -1)
            if year == -1:
                year = year_cache[text] = _parse_year(unescape_formula_guard(text))
            if isinstance(year, str):
                problem(line, "year", year, cells)
                year = None

            # Values repeat less than names, but enough ("1,240" is parsed once per file).
            text = cells[i_value]
            parsed_value = value_cache.get(text)
            if parsed_value is None:
                parsed_value = value_cache[text] = parse_value(text)
            value, error, negative = parsed_value
            if error:
                problem(line, "value", error, cells)
            elif negative and indicator_id and indicator_units[indicator_id] != Unit.PERCENT:
                problem(line, "value", _("a count or amount cannot be negative (%(text)s)") % {"text": text}, cells)

            kind = MetricKind.ACTUAL
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
                    problem(
                        line, "as_of", _("%(date)s is not in the year %(year)s") % {"date": as_of, "year": year}, cells
                    )

            source_id = None
            if i_source is not None and cells[i_source]:
                text = cells[i_source]
                source_id = source_cache.get(text)
                if source_id is None:
                    source_id = source_cache[text] = lookups.source_id(unescape_formula_guard(text))
                if isinstance(source_id, str):
                    problem(line, "source", source_id, cells)

            if len(problems) > count:
                if too_many:
                    problem(line, "", too_many, cells)
                continue
            key = (program_id, indicator_id, year, kind)
            first = seen.setdefault(key, line)
            if first != line:
                problem(
                    line,
                    "",
                    _("the same program, indicator, year and kind as line %(first)s") % {"first": first},
                    cells,
                )
                continue
            rows.append(new_row((line, program_id, indicator_id, year, kind, value, as_of, source_id)))

    bad_cells: dict[int, set[str]] = {}  # id(cache) → the cells in it that are not good
    negative_values: set[str] = set()  # value cells read as a negative number

    def parse_value(text: str) -> tuple[Decimal | None, str | None, bool]:
        """_parse_value, noting negative cells (both ways of reading use this one)."""
        parsed_value = _parse_value(text)
        if parsed_value[2]:
            negative_values.add(text)
        return parsed_value

    def at_once(chunk: list[tuple[int, list[str]]]) -> bool:
        """Resolve a run of rows column by column, each distinct cell once, at C speed.

        True when every row is good (they are appended to `rows`); False, with nothing
        changed but the caches, as soon as any cell or row needs a closer look: then
        one_by_one() reads the run again and names each problem exactly as always.
        """
        n = len(chunk)
        lines, cells = zip(*chunk, strict=True)
        if set(map(len, cells)) != {width}:
            return False
        columns = list(zip(*cells, strict=True))

        def resolve(cache: dict, column, how, ok) -> list | None:
            """The column's cells resolved through `cache`; None if any is not `ok`."""
            distinct = set(column)
            bad = bad_cells.setdefault(id(cache), set())
            for text in distinct.difference(cache):  # (iterates `distinct`, not the cache)
                cache[text] = resolved = how(text)
                if not ok(resolved):
                    bad.add(text)
            if not bad.isdisjoint(distinct):
                return None
            return list(map(cache.__getitem__, column))

        programs = resolve(
            program_cache,
            columns[i_program],
            lambda raw: lookups.programs.get(_key(unescape_formula_guard(raw)), 0),
            bool,
        )
        indicators = programs and resolve(
            indicator_cache,
            columns[i_indicator],
            lambda raw: lookups.indicators.get(_key(unescape_formula_guard(raw)), 0),
            bool,
        )
        years = indicators and resolve(
            year_cache, columns[i_year], lambda raw: _parse_year(unescape_formula_guard(raw)), _is_int
        )
        values = years and resolve(value_cache, columns[i_value], parse_value, lambda parsed: parsed[1] is None)
        if not values:
            return False
        if not negative_values.isdisjoint(columns[i_value]) and any(
            text in negative_values and indicator_units[indicator] != Unit.PERCENT
            for text, indicator in zip(columns[i_value], indicators, strict=True)
        ):
            return False
        values = list(map(itemgetter(0), values))
        if i_kind is None:
            kinds = [MetricKind.ACTUAL] * n
        else:
            kinds = resolve(
                kind_cache,
                columns[i_kind],
                lambda raw: KIND_WORDS.get(_key(unescape_formula_guard(raw))),
                _is_not_none,
            )
            if kinds is None:
                return False
        dates = [None] * n
        if i_as_of is not None:
            date_cache.setdefault("", None)  # a blank cell: no date
            dates = resolve(
                date_cache, columns[i_as_of], lambda raw: _parse_date(unescape_formula_guard(raw)), _not_error
            )
            if dates is None:
                return False
            # each distinct (date, year) once
            if any(date is not None and date.year != year for date, year in set(zip(dates, years, strict=True))):
                return False
        sources = [None] * n
        if i_source is not None:
            source_cache.setdefault("", None)  # a blank cell: no source
            sources = resolve(
                source_cache,
                columns[i_source],
                lambda raw: lookups.source_id(unescape_formula_guard(raw)),
                _not_error,
            )
            if sources is None:
                return False
        keys = list(zip(programs, indicators, years, kinds, strict=True))
        if len(set(keys)) != n or not seen.keys().isdisjoint(keys):
            return False
        seen.update(zip(keys, lines, strict=True))
        rows.extend(map(new_row, zip(lines, programs, indicators, years, kinds, values, dates, sources, strict=True)))
        return True

    # Runs of rows: most files have no problem and are read at once; a run with a problem
    # is read again row by row. Runs keep the memory of a large file bounded.
    records = iter(records)
    while chunk := list(itertools.islice(records, PARSE_RUN_ROWS)):
        if not at_once(chunk):
            one_by_one(chunk)

    if not rows and not parsed.problems:
        problem(header_line + 1, "", _("The file has a header but no rows."))
    return parsed


class Existing(NamedTuple):
    id: int
    value: Decimal
    as_of: datetime.date | None
    source_id: int | None
    note: str
    note_ko: str | None
    note_en: str | None


_EXISTING_COLUMNS = "id, program_id, indicator_id, year, kind, value, as_of, source_id, note, note_ko, note_en"


def _existing_rows(rows: list[MetricRow]) -> Iterator[tuple]:
    """The stored rows with the keys of `rows`, as (id, program_id, indicator_id, year, kind,
    value, as_of, source_id, note, note_ko, note_en), in one query.

    Raw SQL, not the ORM: modeltranslation rewrites `note` per row (its language fallback
    alone cost 5 s on 100,000 rows), and only the raw columns belong in a history row.
    PostgreSQL joins the file's exact keys (four arrays unnested), so a file touching a few
    rows of a large table reads only those; elsewhere (SQLite) the touched programs,
    indicators and year range are read and matched here.
    """
    table = connection.ops.quote_name(YearlyMetric._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Array literals as text: ids, years and the two kind words need no quoting.
            columns = [
                "{" + ",".join(map(str, values)) + "}"
                for values in (
                    [r.program_id for r in rows],
                    [r.indicator_id for r in rows],
                    [r.year for r in rows],
                    [r.kind for r in rows],
                )
            ]
            m_columns = ", ".join(f"m.{c.strip()}" for c in _EXISTING_COLUMNS.split(","))
            cursor.execute(
                f"SELECT {m_columns} FROM {table} m"
                " JOIN unnest(%s::bigint[], %s::bigint[], %s::smallint[], %s::varchar[])"
                " AS k(program_id, indicator_id, year, kind)"
                " ON m.program_id = k.program_id AND m.indicator_id = k.indicator_id"
                " AND m.year = k.year AND m.kind = k.kind",
                columns,
            )
        else:
            program_ids = sorted({r.program_id for r in rows})
            indicator_ids = sorted({r.indicator_id for r in rows})
            years = [r.year for r in rows]
            cursor.execute(
                f"SELECT {_EXISTING_COLUMNS} FROM {table}"
                f" WHERE program_id IN ({', '.join(['%s'] * len(program_ids))})"
                f" AND indicator_id IN ({', '.join(['%s'] * len(indicator_ids))})"
                " AND year BETWEEN %s AND %s",
                [*program_ids, *indicator_ids, min(years), max(years)],
            )
        if connection.vendor == "postgresql":
            while batch := cursor.fetchmany(5000):
                yield from batch
        else:
            # SQLite's raw rows hold `value` as an int or float (what the ORM's converter
            # turns back into a Decimal the same way).
            to_decimal = decimal.Context(prec=15).create_decimal_from_float
            cents = Decimal("0.01")
            while batch := cursor.fetchmany(5000):
                for row in batch:
                    value = row[5] if isinstance(row[5], Decimal) else to_decimal(row[5]).quantize(cents)
                    yield (*row[:5], value, *row[6:])


@dataclass
class ImportPlan:
    created: list[MetricRow] = field(default_factory=list)
    # (existing row, the row as it will be once written)
    updated: list[tuple[Existing, MetricRow]] = field(default_factory=list)
    unchanged: list[MetricRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": len(self.unchanged)}


def plan_import(parsed: ParsedFile) -> ImportPlan:
    """Sort the rows into created / updated / unchanged with one query.

    A column left out of the file (as_of or source) keeps what the database has; a blank cell
    in a column that is there empties it.
    """
    plan = ImportPlan()
    if not parsed.rows:
        return plan
    # (Tuples built with tuple.__new__ and indexed by position: this loop runs once a row.)
    new_existing = functools.partial(tuple.__new__, Existing)
    new_row = functools.partial(tuple.__new__, MetricRow)
    # e[1:5] and row[1:5]: (program_id, indicator_id, year, kind), the key
    existing = {e[1:5]: new_existing((e[0], *e[5:])) for e in _existing_rows(parsed.rows)}
    if not existing:
        plan.created = list(parsed.rows)
        return plan

    keep_as_of = "as_of" not in parsed.columns
    keep_source = "source" not in parsed.columns
    get = existing.get
    created, updated, unchanged = plan.created.append, plan.updated.append, plan.unchanged.append
    for row in parsed.rows:
        old = get(row[1:5])
        if old is None:
            created(row)
            continue
        # old: (id, value, as_of, source_id, …); row: (line, …key, value, as_of, source_id)
        if keep_as_of or keep_source:
            row = new_row((*row[:6], old[2] if keep_as_of else row[6], old[3] if keep_source else row[7]))
        if old[1] == row[5] and old[2] == row[6] and old[3] == row[7]:
            unchanged(row)
        else:
            updated((old, row))
    return plan


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


def too_big_message(size: int, limit: int) -> str:
    return _("The file is %(size)s bytes; the limit is %(limit)s bytes (%(mb)s MB). Split it into smaller files.") % {
        "size": f"{size:,}",
        "limit": f"{limit:,}",
        "mb": round(limit / 1024 / 1024, 1),
    }


def import_metrics(
    data: bytes,
    *,
    dry_run: bool = False,
    user_id: int | None = None,
    reason: str = "CSV import",
    max_bytes: int | None = None,
) -> ImportOutcome:
    """Parse, check and (unless dry_run or a problem is found) write a file, all in one transaction."""
    limit = settings.CSV_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if limit and len(data) > limit:
        parsed = ParsedFile()
        parsed.problem(0, "", too_big_message(len(data), limit))
        return ImportOutcome(parsed, ImportPlan(), dry_run)
    with no_cyclic_gc():
        parsed = parse_metrics(data)
        if not parsed.ok:
            return ImportOutcome(parsed, ImportPlan(), dry_run)
        with transaction.atomic():
            plan = plan_import(parsed)
            if not dry_run:
                write_plan(plan, user_id=user_id, reason=reason)
    return ImportOutcome(parsed, plan, dry_run)


@contextlib.contextmanager
def no_cyclic_gc():
    """Pause Python's cycle collector while a file is read and planned.

    Those build a few hundred thousand tuples and lists, none in a reference cycle, and each
    collection of the oldest generation walks all of them again: about a third of the
    parse and plan time of a 100,000-row file. Reference counting still frees everything;
    the collector runs again (if it was on) as soon as the import ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_plan(plan: ImportPlan, *, user_id: int | None, reason: str) -> None:
    """Write created and updated rows and their history rows. Call inside a transaction."""
    if not plan.created and not plan.updated:
        return
    now = timezone.now()
    reason = reason[:HISTORY_REASON_MAX]
    if connection.vendor == "postgresql":
        _write_postgresql(plan, user_id=user_id, reason=reason, now=now)
    else:
        _write_batched(plan, user_id=user_id, reason=reason, now=now)
    # Bulk writes send no signals: the programs' figures and the public pages are told here.
    refresh_program_figures({r.program_id for r in plan.created} | {r.program_id for _old, r in plan.updated})
    bump_generation()
    transaction.on_commit(bump_generation)


BATCH_SIZE = 2000


def _write_batched(plan: ImportPlan, *, user_id: int | None, reason: str, now: datetime.datetime) -> None:
    """Any database: bulk_create the new rows, bulk_update the changed ones, bulk_create history."""
    History = YearlyMetric.history.model
    blank = YearlyMetric()
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
        for r in plan.created
    ]
    YearlyMetric.objects.bulk_create(new, batch_size=BATCH_SIZE)
    changed = [YearlyMetric(id=old.id, value=r.value, as_of=r.as_of, source_id=r.source_id) for old, r in plan.updated]
    YearlyMetric.objects.bulk_update(changed, ["value", "as_of", "source_id"], batch_size=500)

    def history(pk: int, r: MetricRow, notes: Iterable, history_type: str):
        note, note_ko, note_en = notes
        return History(
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
            history_date=now,
            history_type=history_type,
            history_user_id=user_id,
            history_change_reason=reason,
        )

    blank_notes = (blank.note, blank.note_ko, blank.note_en)
    records = [history(obj.pk, r, blank_notes, "+") for obj, r in zip(new, plan.created, strict=True)]
    records += [history(old.id, r, (old.note, old.note_ko, old.note_en), "~") for old, r in plan.updated]
    History.objects.bulk_create(records, batch_size=BATCH_SIZE)


def _copy_text(rows: Iterable[MetricRow], chunk_rows: int = 20_000) -> Iterable[str]:
    """COPY's text format, written directly: ids, years, decimals, dates and the two kind words
    hold no tab, newline or backslash, so nothing needs escaping; NULL is \\N. (psycopg's
    write_row adapts value by value and is several times slower.)"""
    lines = []
    for r in rows:
        as_of = r.as_of.isoformat() if r.as_of else "\\N"
        source = r.source_id if r.source_id is not None else "\\N"
        lines.append(f"{r.program_id}\t{r.indicator_id}\t{r.year}\t{r.kind}\t{r.value}\t{as_of}\t{source}\n")
        if len(lines) >= chunk_rows:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _write_postgresql(plan: ImportPlan, *, user_id: int | None, reason: str, now: datetime.datetime) -> None:
    """PostgreSQL: COPY the rows into a temporary table, then one statement upserts them and
    writes their history rows (a data-modifying CTE: the upsert's RETURNING feeds the history
    INSERT)."""
    qn = connection.ops.quote_name
    opts = YearlyMetric._meta
    table, history_table = qn(opts.db_table), qn(YearlyMetric.history.model._meta.db_table)
    blank = YearlyMetric()
    cols = "program_id, indicator_id, year, kind, value, as_of, source_id"
    kept = "note, note_ko, note_en"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS metric_import_stage")
        cursor.execute(
            "CREATE TEMPORARY TABLE metric_import_stage (program_id bigint, indicator_id bigint, year smallint,"
            " kind varchar(10), value numeric(20, 2), as_of date, source_id bigint) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY metric_import_stage ({cols}) FROM STDIN") as copy:
            for chunk in _copy_text(itertools.chain(plan.created, (r for _old, r in plan.updated))):
                copy.write(chunk)
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
            [blank.note, blank.note_ko, blank.note_en, now, reason, user_id],
        )
