"""Reading a metric file and checking every row: the one parse path of the import and its preview.

A file is all or nothing: every problem of every row is collected with its line number and
column (as written in the file), and if there is one, nothing is written. The rules are the
model's (YearlyMetric's constraints and clean(), the field's digits and decimal places); they
are restated here rather than calling full_clean() per row, because full_clean() runs a query
per foreign key and the import must not query per row. tests/programs/test_import.py checks
that both agree.

The file is read as a stream, a batch of rows at a time (BATCH_ROWS): memory is bounded by the
batch, not the file. Names are resolved from three small dictionaries loaded once (Lookups).
"""

from __future__ import annotations

import datetime
import functools
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jeonju.csvio import (
    CsvReadError,
    detect_encoding,
    iter_records,
    open_text,
    parse_decimal,
    sniff_delimiter,
    unescape_formula_guard,
)
from policies.models import MAX_YEAR, MIN_YEAR, Source

from ..models import Indicator, MetricKind, Program, Unit
from .columns import FLAG_WORDS, KIND_WORDS, SOURCE_SEPARATOR, match_header, name_key

# YearlyMetric.value is DecimalField(max_digits=20, decimal_places=2).
MAX_VALUE = Decimal(10) ** 18
_DATE = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\.?")
# Rows read, checked and written at a time: what the import holds in memory.
BATCH_ROWS = 5000


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
    # The value is given as about so many: by the `approximate` column, or by the value cell
    # itself (576여, 약 576). False when neither says so.
    approximate: bool = False

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
    # what a header carried besides its column's name (a unit: 예산액(천원)), by column
    header_parts: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, line: int, column: str, message: str, cells: list[str] | None = None) -> None:
        self.problems.append(Problem(line, self.columns.get(column, column), message))
        if cells is not None:
            self.bad_lines.setdefault(line, cells)


class Invalid(str):
    """What a cell reader returns instead of a value: the message saying what is wrong."""

    __slots__ = ()


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
                        key = (name_key(p), name_key(t), d)
                        self.sources[key] = None if self.sources.get(key, pk) != pk else pk

    @staticmethod
    def _add(index: dict[str, int | None], pk: int, *names: str | None) -> None:
        for name in {name_key(n) for n in names if n}:
            # A name two objects share is ambiguous: it resolves to None and is reported.
            index[name] = None if index.get(name, pk) != pk else pk

    def source_id(self, text: str) -> int | Invalid:
        """The id for a `source` cell, or what is wrong with it when it names no single source."""
        if text.isdigit():
            pk = int(text)
            return pk if pk in self.source_ids else Invalid(_("there is no source number %(pk)s") % {"pk": pk})
        parts = [p.strip() for p in text.split(SOURCE_SEPARATOR)]
        if len(parts) < 3:
            return Invalid(_('write a source as its number or as "publisher|title|date" (date YYYY-MM-DD or YYYY)'))
        publisher, title, when = parts[0], SOURCE_SEPARATOR.join(parts[1:-1]), parts[-1]
        match = _DATE.fullmatch(when)
        if match:
            try:
                when = datetime.date(*map(int, match.groups())).isoformat()
            except ValueError:
                return Invalid(_("%(date)s is not a real date") % {"date": parts[-1]})
        pk = self.sources.get((name_key(publisher), name_key(title), when), 0)
        if pk is None:
            return Invalid(_("more than one source matches; give its number instead"))
        if not pk:
            return Invalid(_("no source matches %(text)s (add it under Sources first)") % {"text": text})
        return pk


# --- one reader per column: a cell's text (the export's apostrophe taken off) → value or Invalid


class NameMessages(NamedTuple):
    """What the importer says of a program or indicator cell that names nothing it knows."""

    required: str
    ambiguous: str  # %(text)s names more than one
    unknown: str  # %(text)s names none


PROGRAM_NAMES = NameMessages(
    gettext_lazy("a program is required"),
    gettext_lazy("%(text)s names more than one program; use the slug"),
    gettext_lazy("unknown program %(text)s (give its slug or name)"),
)
INDICATOR_NAMES = NameMessages(
    gettext_lazy("an indicator is required"),
    gettext_lazy("%(text)s names more than one indicator; use the code"),
    gettext_lazy("unknown indicator %(text)s (give its code or name)"),
)


def _name_reader(index: dict[str, int | None], messages: NameMessages) -> Callable[[str], int | Invalid]:
    """A program's or indicator's id from its slug/code or one of its names."""

    def read(text: str) -> int | Invalid:
        found = index.get(name_key(text), 0)
        if found:
            return found
        if not text:
            return Invalid(messages.required)
        return Invalid((messages.unknown if found == 0 else messages.ambiguous) % {"text": text})

    return read


def program_reader(lookups: Lookups) -> Callable[[str], int | Invalid]:
    """A program's id from a cell naming it by slug or name (the other importers' program column)."""
    return _name_reader(lookups.programs, PROGRAM_NAMES)


def _read_year(text: str) -> int | Invalid:
    if not (text.isascii() and text.isdigit()):
        return Invalid(_("%(text)s is not a year") % {"text": text or '""'})
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        return Invalid(
            _("%(year)s is not a year between %(min)s and %(max)s") % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return year


class About(Decimal):
    """A value read from a cell that gives it as about so many ("576여", "약 576"): the number,
    marked approximate."""

    __slots__ = ()


# How Korean offices (and English text) write "about so many": 약 576, 576여, 576여 명, 10억 정도.
_ABOUT_BEFORE = ("약", "대략", "approximately", "approx.", "approx", "about", "ca.", "~")
_ABOUT_AFTER = ("정도", "가량", "남짓", "내외")
_NUMBER_PART = re.compile(r"[+-]?[\d.,]+")
# A counter after the number (명, 건, 개, 곳, 대, people, jobs), but not a multiplier (만, 억, …).
_COUNTER = re.compile(r"[가-힣]{1,4}|[a-z]{1,15}", re.IGNORECASE)
_MULTIPLIERS = ("십", "백", "천", "만", "억", "조", "k", "m", "bn", "thousand", "million", "billion")


def _not_a_number(text: str) -> Invalid:
    return Invalid(
        _(
            "%(text)s is not a number (write 1240, 1,240 or 12.5; a value given as about so many as "
            "576여, 약 576 or 500여 명)"
        )
        % {"text": text or '""'}
    )


def _read_about(text: str) -> About | Invalid:
    """The number of a cell that says about so many (576여, 약 576, 500여 명, 1,600여건), marked
    About; what is wrong with the cell when it is not such a number either."""
    rest, marked = text, False
    folded = rest.casefold()
    for word in _ABOUT_BEFORE:
        if folded.startswith(word):
            rest, marked = rest[len(word) :].lstrip(), True
            break
    number = _NUMBER_PART.match(rest)
    if number is None:
        return _not_a_number(text)
    tail = rest[number.end() :].strip()
    if tail.startswith("여"):
        tail, marked = tail[1:].strip(), True
    for word in _ABOUT_AFTER:
        if tail.endswith(word):
            tail, marked = tail[: -len(word)].strip(), True
            break
    if tail.casefold().startswith(_MULTIPLIERS):
        return Invalid(_("%(text)s: write the whole number (4000000 for 400만, 1000000000 for 10억)") % {"text": text})
    if not marked or (tail and not _COUNTER.fullmatch(tail)) or parse_decimal(number.group()) is None:
        return _not_a_number(text)
    value = _read_value(number.group())
    return About(value) if type(value) is Decimal else value


def _read_value(text: str) -> Decimal | Invalid:
    if text.isascii() and text.isdigit():  # the common case, "1240": no pattern to match
        return Decimal(text) if len(text) <= 18 else Invalid(_("%(text)s is too large") % {"text": text})
    if "," in text:  # the next most common, "1,240": no pattern either if the commas are right
        plain = text.replace(",", "")
        if plain.isascii() and plain.isdigit() and len(plain) <= 18 and f"{int(plain):,}" == text:
            return Decimal(plain)
    value = parse_decimal(text)
    if value is None:
        return _read_about(text) if text else _not_a_number(text)
    if abs(value) >= MAX_VALUE:
        return Invalid(_("%(text)s is too large") % {"text": text})
    if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
        return Invalid(_("%(text)s has more than two decimal places") % {"text": text})
    return value


def _read_kind(text: str) -> str | Invalid:
    return KIND_WORDS.get(name_key(text)) or Invalid(_("%(text)s is not actual/target (실적/목표)") % {"text": text})


def _read_flag(text: str) -> bool | Invalid:
    flag = FLAG_WORDS.get(name_key(text))
    if flag is None:
        return Invalid(_("%(text)s is not yes/no (예/아니오)") % {"text": text})
    return flag


def _read_date(text: str) -> datetime.date | Invalid:
    """YYYY-MM-DD (also with . or / and Excel's "2019. 10. 21.")."""
    match = _DATE.fullmatch(text)
    if not match:
        return Invalid(_("%(text)s is not a date; write YYYY-MM-DD") % {"text": text})
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return Invalid(_("%(text)s is not a real date") % {"text": text})


def _unless_blank(read: Callable[[str], Any]) -> Callable[[str], Any]:
    """The reader of an optional cell (as_of, source, approximate): blank is None."""
    return lambda text: read(text) if text else None


class _Cells(dict):
    """A column's reader with what it has read: names, years, kinds, dates and values repeat
    down a file, so each distinct cell is read once."""

    __slots__ = ("read",)

    def __init__(self, read: Callable[[str], Any]):
        super().__init__()
        self.read = read

    def __missing__(self, cell: str) -> Any:
        value = self[cell] = self.read(unescape_formula_guard(cell))
        return value


# -----------------------------------------------------------------------------------------------


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
    batch, the caches of read cells, and one int per (program, indicator) pair for the
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
        index, problems = match_header(headers)
        for column, message in problems:
            parsed.problem(self.header_line, column, message)
        parsed.columns.update((name, headers[position]) for name, position in index.items())
        if problems:
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
    problems recorded in `parsed`), and the caches of its column readers."""
    indicator_units = lookups.indicator_units
    percent = Unit.PERCENT

    # The rules between cells, each run once its own cell has read well; `row` holds the
    # values of the columns before it (program id, indicator id, year, …).
    def not_negative(value: Decimal, row: list, cell: str) -> Decimal | Invalid:
        indicator_id = row[1]
        if value < 0 and type(indicator_id) is int and indicator_units[indicator_id] != percent:
            return Invalid(_("a count or amount cannot be negative (%(text)s)") % {"text": cell})
        return value

    def in_its_year(as_of: datetime.date | None, row: list, cell: str) -> datetime.date | None | Invalid:
        year = row[2]
        if as_of is not None and type(year) is int and as_of.year != year:
            return Invalid(_("%(date)s is not in the year %(year)s") % {"date": as_of, "year": year})
        return as_of

    def agrees_with_value(approximate: bool | None, row: list, cell: str) -> bool | None | Invalid:
        if approximate is False and type(row[3]) is About:
            return Invalid(_("the value says about (%(value)s): write yes or leave it blank") % {"value": row[3]})
        return approximate

    # In the order problems are listed in (MetricRow's, but value before kind): the
    # column, its reader and the rule it must also meet. A column the file leaves out (kind,
    # as_of, source, approximate) is read as a blank cell.
    readers = (
        ("program", _name_reader(lookups.programs, PROGRAM_NAMES), None),
        ("indicator", _name_reader(lookups.indicators, INDICATOR_NAMES), None),
        ("year", _read_year, None),
        ("value", _read_value, not_negative),
        ("kind", _read_kind, None),
        ("as_of", _unless_blank(_read_date), in_its_year),
        ("source", _unless_blank(lookups.source_id), None),
        ("approximate", _unless_blank(_read_flag), agrees_with_value),
    )
    columns = [(column, index.get(column), _Cells(read), rule) for column, read, rule in readers]
    new_row = functools.partial(tuple.__new__, MetricRow)  # MetricRow(...) without its __new__
    hint = _("; a number with a thousands separator must be in quotes") if delimiter == "," else ""

    def check(line: int, cells: list[str], parsed: ParsedFile) -> MetricRow | None:
        too_many = len(cells) > width
        if too_many:
            too_many = _("%(n)s cells but the header has %(m)s columns%(hint)s") % {
                "n": len(cells),
                "m": width,
                "hint": hint,
            }
            if any(cells[width:]):
                parsed.problem(line, "", too_many, cells)
                return None
            # Empty trailing cells (a stray comma) are forgiven, unless the row is wrong:
            # then the cell count is the likely reason, and is said so below.
        elif len(cells) < width:
            cells = cells + [""] * (width - len(cells))

        row: list = []
        wrong = False
        for column, position, read, rule in columns:
            cell = cells[position] if position is not None else ""
            value = read[cell]
            if rule is not None and type(value) is not Invalid:
                value = rule(value, row, cell)
            if type(value) is Invalid:
                parsed.problem(line, column, str(value), cells)
                wrong = True
            row.append(value)
        if wrong:
            if too_many:
                parsed.problem(line, "", too_many, cells)
            return None
        program_id, indicator_id, year, value, kind, as_of, source_id, approximate = row
        if type(value) is About:
            value, approximate = Decimal(value), True
        return new_row((line, program_id, indicator_id, year, kind, value, as_of, source_id, approximate is True))

    return check, [cells for _column, _position, cells, _rule in columns]
