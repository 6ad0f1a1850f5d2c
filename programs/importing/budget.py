"""Budget lines from the sheets program offices keep (세출예산 사업명세서, 집행 현황) saved as CSV:
the reader and checker behind `manage.py import_budget` (and the admin's budget import).

The file is read as the metric file is (jeonju.csvio) and all or nothing. The columns:

    program,period,funding_source,planned,executed,source,note
    seonosong-art-village,2017~2020,국비,37억 5천만,,3,

Korean headers work (사업, 기간 or 회계연도, 재원, 예산액, 집행액, 출처, 비고), and so do the admin
export's (start_year, end_year, planned_amount, executed_amount, note_ko). Amounts are read as
Korean sheets write them, exactly, in whole won: `1,234,000`, `12억 3,400만`, `5천만 원`; a header
may declare the unit of its column (`예산액(천원)`, `집행액 (백만원)`), or a `unit` (단위) column
that of its row. A line is the same line as a stored one when the program, period and funding
source are the same: it is updated where its amounts, source or note differ. A line whose
executed amount exceeds its plan is taken with a warning, as it happens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO, NamedTuple

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jeonju.csvio import (
    unescape_formula_guard,
)
from policies.models import MAX_YEAR, MIN_YEAR

from ..models import BudgetLine, FundingSource, ImportKind
from ..signals import budget_lines_imported
from .columns import name_key
from .parse import Lookups, ParsedFile, Problem, program_reader
from .whole import RollBack, import_whole_file, match_columns, read_file
from .write import history_defaults

# Canonical column name → the headers accepted for it: English first, then Korean.
COLUMNS: dict[str, tuple[str, ...]] = {
    "program": ("program", "사업", "사업명", "세부사업"),
    "period": ("period", "기간", "회계연도", "연도", "year", "fiscal year", "사업기간", "사업 기간"),
    "start_year": ("start_year", "시작 연도", "시작연도"),
    "end_year": ("end_year", "끝 연도", "종료 연도", "종료연도"),
    "funding_source": ("funding_source", "재원", "funding source", "재원 구분"),
    "planned": ("planned", "예산액", "planned_amount", "예산", "계획", "계획액"),
    "executed": ("executed", "집행액", "executed_amount", "집행", "집행 실적"),
    "unit": ("unit", "단위"),
    "source": ("source", "출처"),
    "note": ("note", "비고", "note_ko", "메모"),
    "note_en": ("note_en", "비고 영문"),
}
REQUIRED_COLUMNS = ("program", "funding_source")

# The units a sheet declares, in won.
UNITS = {
    "원": 1,
    "won": 1,
    "krw": 1,
    "천원": 1_000,
    "만원": 10_000,
    "백만원": 1_000_000,
    "천만원": 10_000_000,
    "억원": 100_000_000,
}
FUNDING_WORDS = {
    "국비": FundingSource.NATIONAL,
    "국고": FundingSource.NATIONAL,
    "도비": FundingSource.PROVINCIAL,
    "시비": FundingSource.CITY,
    "민자": FundingSource.PRIVATE,
    "민간": FundingSource.PRIVATE,
    "기타": FundingSource.OTHER,
    "": FundingSource.UNSPECIFIED,
    "구분 없음": FundingSource.UNSPECIFIED,
    "합계": FundingSource.UNSPECIFIED,
    "총사업비": FundingSource.UNSPECIFIED,
}
MAX_AMOUNT = 10**18  # BigIntegerField, with room to spare
MAX_NOTE = BudgetLine._meta.get_field("note").max_length

_HEADER_UNIT = re.compile(r"^(.*?)\s*\(\s*([^()]*)\s*\)\s*$")
_PERIOD = re.compile(r"(\d{4})\s*(?:년)?\s*(?:[-–—~∼〜]\s*(\d{4})\s*(?:년)?)?")
# One group of a Korean amount: a number, then 십/백/천, then 만/억/조 ("3,400만", "5천만", "12억").
_GROUP = re.compile(r"\s*(\d[\d,]*(?:\.\d+)?)\s*([십백천]?)\s*([만억조]?)")
_SMALL = {"": 1, "십": 10, "백": 100, "천": 1000}
_BIG = {"": 1, "만": 10**4, "억": 10**8, "조": 10**12}
_GROUPED = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?")


def read_amount(text: str, unit: int = 1) -> int | str:
    """An amount in whole won from a cell, in its column's unit; or the message saying why not."""
    cell = text.strip()
    body = cell[:-1].rstrip() if cell.endswith("원") else cell
    if not body:
        return _("%(text)s is not an amount") % {"text": text}
    total, position, last_big = Decimal(0), 0, None
    korean = False
    while position < len(body):
        match = _GROUP.match(body, position)
        if match is None or match.end() == position:
            return _("%(text)s is not an amount (write 1,234,000 or 12억 3,400만)") % {"text": text}
        number, small, big = match.groups()
        if not _GROUPED.fullmatch(number):
            return _("%(text)s has its thousands separators in the wrong places") % {"text": text}
        if small or big:
            korean = True
        if last_big is not None and _BIG[big] >= last_big:
            return _("%(text)s: write the larger units first (12억 3,400만)") % {"text": text}
        last_big = _BIG[big]
        try:
            total += Decimal(number.replace(",", "")) * _SMALL[small] * _BIG[big]
        except InvalidOperation:  # pragma: no cover - the pattern lets only numbers through
            return _("%(text)s is not an amount") % {"text": text}
        position = match.end()
        if not big and position < len(body):  # only the last group may go without 만/억/조
            return _("%(text)s is not an amount (write 1,234,000 or 12억 3,400만)") % {"text": text}
    if korean and unit != 1:
        return _("%(text)s gives its own units: the column's unit cannot apply to it") % {"text": text}
    won = total * unit
    if won != won.to_integral_value():
        return _("%(text)s is not a whole number of won") % {"text": text}
    if won >= MAX_AMOUNT:
        return _("%(text)s is too large") % {"text": text}
    return int(won)


def read_period(text: str) -> tuple[int | None, int | None] | str:
    """(first year, last year) of `2019`, `2019년`, `2017–2020`, `2017~2020`; blank is (None, None)."""
    if not text:
        return (None, None)
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        return _("%(text)s is not a year or a period (write 2019, or 2017~2020)") % {"text": text}
    first = int(match.group(1))
    last = int(match.group(2) or first)
    for year in (first, last):
        if not MIN_YEAR <= year <= MAX_YEAR:
            return _("%(year)s is not a year between %(min)s and %(max)s") % {
                "year": year,
                "min": MIN_YEAR,
                "max": MAX_YEAR,
            }
    if last < first:
        return _("%(text)s ends before it starts") % {"text": text}
    return (first, last)


class BudgetRow(NamedTuple):
    line: int
    program_id: int
    start_year: int | None
    end_year: int | None
    funding_source: str
    planned: int | None
    executed: int | None
    source_id: int | None
    note: str
    note_en: str

    @property
    def key(self) -> tuple:
        return (self.program_id, self.start_year, self.end_year, self.funding_source)


@dataclass
class BudgetImport:
    parsed: ParsedFile = field(default_factory=ParsedFile)
    rows: list[BudgetRow] = field(default_factory=list)
    # What is taken but worth a look (an executed amount over its plan): never a refusal.
    warnings: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0})
    dry_run: bool = True
    batch_pk: int | None = None  # the import batch that records it, once written
    keep: int = 0
    preview: dict[str, list[tuple[BudgetRow, BudgetLine | None]]] = field(
        default_factory=lambda: {"created": [], "updated": [], "unchanged": []}
    )

    # The columns the file has: a stored line keeps what the file leaves out (an executed amount
    # a plan-only sheet does not give, its English note).
    present: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return self.parsed.ok

    def kept(self, kind: str, row: BudgetRow, line: BudgetLine | None = None) -> None:
        if len(self.preview[kind]) < self.keep:
            self.preview[kind].append((row, line))


def _funding_index() -> dict[str, str]:
    index = {name_key(word): code for word, code in FUNDING_WORDS.items()}
    for code, label in FundingSource.choices:
        index[name_key(code)] = code
        for language in ("ko", "en"):
            with translation.override(language):
                index[name_key(str(label))] = code
    return index


def _unit_of(text: str) -> int | None:
    return UNITS.get("".join(text.split()).casefold())


def _split_unit(header: str) -> tuple[str, int | None]:
    """예산액(천원) → ("예산액", 1000); a header with no unit as it is."""
    declared = _HEADER_UNIT.match(header)
    if declared and _unit_of(declared.group(2)) is not None:
        return declared.group(1), _unit_of(declared.group(2))
    return header, None


def _match_header(parsed: ParsedFile, line: int, headers: list[str]) -> tuple[dict[str, int], dict[str, int]] | None:
    """The position of each column, and the unit its header declares (예산액(천원) → 1000)."""
    index = match_columns(parsed, line, headers, COLUMNS, REQUIRED_COLUMNS, split=_split_unit)
    if "planned" not in index and "executed" not in index:
        parsed.problem(line, "", _("give a planned (예산액) or an executed (집행액) column"))
    if "period" in index and ("start_year" in index or "end_year" in index):
        parsed.problem(line, "", _("give the period either as one column or as start_year and end_year, not both"))
    return (index, parsed.header_parts) if parsed.ok else None


def parse_budget(stream: BinaryIO) -> BudgetImport:
    """Read and check a whole budget sheet; never writes."""
    outcome = BudgetImport()
    parsed = outcome.parsed
    read_file(stream, parsed, lambda records: _read_rows(outcome, records))
    if not parsed.ok:
        outcome.rows.clear()
        outcome.warnings.clear()
    parsed.row_count = len(outcome.rows)
    return outcome


def _read_rows(outcome: BudgetImport, records) -> None:
    parsed = outcome.parsed
    header_line, headers = next(records, (1, []))
    if not headers:
        parsed.problem(1, "", _("The file is empty."))
        return
    parsed.headers = headers
    matched = _match_header(parsed, header_line, headers)
    if matched is None:
        return
    index, units = matched
    outcome.present = set(index)
    lookups = parsed.lookups = Lookups()
    funding = _funding_index()
    width = len(headers)
    first_line: dict[tuple, int] = {}
    for line, cells in records:
        if len(cells) > width and any(cells[width:]):
            parsed.problem(line, "", _("%(n)s cells but the header has %(m)s columns") % {"n": len(cells), "m": width})
            continue
        cells = [unescape_formula_guard(cell) for cell in cells] + [""] * (width - len(cells))
        row = _read_row(outcome, lookups, funding, index, units, line, cells)
        if row is None:
            continue
        if row.key in first_line:
            message = _("the same program, period and funding source as line %(first)s") % {
                "first": first_line[row.key]
            }
            parsed.problem(line, "", message, cells)
            continue
        first_line[row.key] = line
        outcome.rows.append(row)
    if not outcome.rows and parsed.ok:
        parsed.problem(header_line + 1, "", _("The file has a header but no rows."))


def _read_row(outcome, lookups, funding, index, units, line, cells) -> BudgetRow | None:
    parsed = outcome.parsed
    before = len(parsed.problems)

    def cell(name: str) -> str:
        return cells[index[name]] if name in index else ""

    def problem(column: str, message: str) -> None:
        parsed.problem(line, column, message, cells)

    program = program_reader(lookups)(cell("program"))
    if isinstance(program, str):
        problem("program", program)

    if "period" in index:
        period = read_period(cell("period"))
    else:
        period = read_period("~".join(part for part in (cell("start_year"), cell("end_year")) if part))
        if cell("end_year") and not cell("start_year") and not isinstance(period, str):
            period = (None, period[1])  # "until 2020", as the admin allows
    if isinstance(period, str):
        problem("period" if "period" in index else "start_year", period)
        period = (None, None)

    funding_source = funding.get(name_key(cell("funding_source")))
    if funding_source is None:
        problem(
            "funding_source",
            _("%(text)s is not a funding source (국비, 도비, 시비, 민자, 기타)") % {"text": cell("funding_source")},
        )

    unit = 1
    if cell("unit"):
        unit = _unit_of(cell("unit"))
        if unit is None:
            problem("unit", _("%(text)s is not a unit (원, 천원, 백만원, 억원)") % {"text": cell("unit")})
            unit = 1
    amounts = {}
    for name in ("planned", "executed"):
        amounts[name] = None
        if cell(name):
            column_unit = units.get(name)
            if column_unit is not None and cell("unit"):
                problem(name, _("the header and the unit column both give a unit: keep one"))
                continue
            amount = read_amount(cell(name), column_unit or unit)
            if isinstance(amount, str):
                problem(name, amount)
            else:
                amounts[name] = amount
    if not cell("planned") and not cell("executed"):
        problem("planned", _("give a planned or an executed amount"))

    source = None
    if cell("source"):
        source = lookups.source_id(cell("source"))
        if isinstance(source, str):
            problem("source", source)
    for name in ("note", "note_en"):
        if len(cell(name)) > MAX_NOTE:
            problem(name, _("%(n)s characters; a note has at most %(max)s") % {"n": len(cell(name)), "max": MAX_NOTE})
    if len(parsed.problems) > before:
        return None
    planned, executed = amounts["planned"], amounts["executed"]
    if planned is not None and executed is not None and executed > planned:
        outcome.warnings.append(
            Problem(
                line,
                parsed.columns["executed"],
                _("the executed amount %(executed)s is more than the plan %(planned)s")
                % {"executed": f"{executed:,}", "planned": f"{planned:,}"},
            )
        )
    return BudgetRow(line, program, *period, funding_source, planned, executed, source, cell("note"), cell("note_en"))


def import_budget(
    data: bytes | BinaryIO,
    *,
    dry_run: bool = False,
    user_id: int | None = None,
    reason: str = "CSV import",
    max_bytes: int | None = None,
    keep: int = 0,
    file_name: str = "",
) -> BudgetImport:
    """Read, check and (unless dry_run or a problem is found) write a budget sheet, in one
    transaction."""
    return import_whole_file(
        data,
        kind=ImportKind.BUDGET,
        parse=parse_budget,
        write=_write,
        empty=BudgetImport,
        dry_run=dry_run,
        user_id=user_id,
        reason=reason,
        max_bytes=max_bytes,
        keep=keep,
        file_name=file_name,
    )


FIELDS = ("planned_amount", "executed_amount", "source_id", "note", "note_ko", "note_en")


def _write(outcome: BudgetImport, dry_run: bool, user_id: int | None, reason: str, batch) -> None:
    programs = {row.program_id for row in outcome.rows}
    stored: dict[tuple, list[BudgetLine]] = {}
    for line in BudgetLine.objects.filter(program__in=programs):
        stored.setdefault((line.program_id, line.start_year, line.end_year, line.funding_source), []).append(line)
    created, updated = [], []
    for row in outcome.rows:
        values = {
            "planned_amount": row.planned,
            "executed_amount": row.executed,
            "source_id": row.source_id,
            "note_ko": row.note,
            "note_en": row.note_en or None,
        }
        same = stored.get(row.key, [])
        if len(same) > 1:
            message = _("%(n)s stored lines have this program, period and funding source: correct them in the admin")
            outcome.parsed.problem(row.line, "", message % {"n": len(same)})
            continue
        if not same:
            outcome.kept("created", row)
            created.append(
                BudgetLine(
                    program_id=row.program_id,
                    start_year=row.start_year,
                    end_year=row.end_year,
                    funding_source=row.funding_source,
                    note=row.note,
                    **values,
                )
            )
            continue
        line = same[0]
        current = {name: getattr(line, name) for name in values}
        current["note_ko"] = current["note_ko"] or ""
        current["note_en"] = current["note_en"] or None
        columns = {"planned_amount": "planned", "executed_amount": "executed", "source_id": "source"}
        columns.update(note_ko="note", note_en="note_en")
        values = {name: value if columns[name] in outcome.present else current[name] for name, value in values.items()}
        if current == values:
            outcome.counts["unchanged"] += 1
            outcome.kept("unchanged", row, line)
            continue
        outcome.kept(
            "updated",
            row,
            BudgetLine(
                planned_amount=line.planned_amount, executed_amount=line.executed_amount, source_id=line.source_id
            ),
        )
        for name, value in values.items():
            setattr(line, name, value)
        line.note = line.note_ko  # the untranslated column, as a save keeps it
        updated.append(line)
    if not outcome.ok:
        outcome.rows.clear()
        raise RollBack
    outcome.counts["created"], outcome.counts["updated"] = len(created), len(updated)
    if dry_run:
        raise RollBack
    history = history_defaults(user_id=user_id, reason=reason, now=timezone.now(), batch=batch)
    if created:
        bulk_create_with_history(created, BudgetLine, batch_size=1000, **history)
    if updated:
        bulk_update_with_history(updated, BudgetLine, list(FIELDS), batch_size=1000, **history)
    if created or updated:
        budget_lines_imported.send(BudgetLine, program_ids={line.program_id for line in created + updated})
