"""Benchmarking visits from a visitor log (방문 대장) saved from Excel: one reader, checker and
writer behind the admin and `manage.py import_visits`.

The file is read as the metric import reads its files (jeonju.csvio: the encoding detected,
comma or tab, spaces trimmed) and with the same guarantee: a file with any problem is refused
whole, every problem listed with its line and column, and nothing is written. The columns:

    program,organization,kind,region,year,date,people,purpose,source
    seonosong-art-village,부산광역시 사하구,local_government,busan,2019,2019. 10. 21.,15,도시재생 견학,

Korean headers (사업, 기관, 기관 유형, 지역, 연도, 방문일, 인원, 목적, 출처) work as well, and so
do the admin export's (visited_on, purpose_ko, organization_en), so an export edited in Excel
comes back in. An organization is found by its exact name, else by its name without spaces and
with the short forms of Korean public bodies folded (부산시청 / 부산시 / 부산광역시, 국토부 /
국토교통부), which the outcome lists as "matched to …" for the clerk to confirm; a name matching
none is a new organization, created only with its kind and region. A visit is the same visit as
a stored one when the program, organization and date (or, undated, the year) are the same: it is
updated where its people, purpose or source differ, else left unchanged, never stored twice.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple

from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from jeonju.csvio import (
    parse_decimal,
    unescape_formula_guard,
)
from policies.models import MAX_YEAR, MIN_YEAR
from programs.importing import Lookups, ParsedFile
from programs.importing.columns import name_key
from programs.importing.parse import program_reader
from programs.importing.whole import import_whole_file, match_columns, read_file
from programs.importing.write import history_defaults
from programs.models import ImportKind

from .models import Organization, OrganizationKind, Region, Visit
from .signals import visits_imported

# Canonical column name → the headers accepted for it: English first, then Korean.
COLUMNS: dict[str, tuple[str, ...]] = {
    "program": ("program", "사업", "사업명"),
    "organization": ("organization", "기관", "기관명", "방문 기관", "방문기관"),
    "organization_en": ("organization_en", "기관 영문명", "organization (english)"),
    "kind": ("kind", "기관 유형", "organization kind", "기관유형", "유형"),
    "region": ("region", "지역"),
    "year": ("year", "연도"),
    "date": ("date", "방문일", "visited_on", "방문 일자", "날짜"),
    "people": ("people", "인원", "방문 인원", "방문인원"),
    "purpose": ("purpose", "목적", "purpose_ko", "방문 목적", "방문목적"),
    "purpose_en": ("purpose_en", "목적 영문", "purpose (english)"),
    "source": ("source", "출처"),
}
REQUIRED_COLUMNS = ("program", "organization", "year")

# The model's limits, said rather than cut: a longer cell is a problem of its line.
MAX_PURPOSE = Visit._meta.get_field("purpose").max_length
MAX_NAME = Organization._meta.get_field("name").max_length
MAX_PEOPLE = 100_000

# The short forms of central bodies a visitor log writes, and the names they stand for.
MINISTRY_SHORT_FORMS = {
    "국토부": "국토교통부",
    "행안부": "행정안전부",
    "문체부": "문화체육관광부",
    "복지부": "보건복지부",
    "산업부": "산업통상자원부",
    "산자부": "산업통상자원부",
    "과기부": "과학기술정보통신부",
    "과기정통부": "과학기술정보통신부",
    "고용부": "고용노동부",
    "노동부": "고용노동부",
    "중기부": "중소벤처기업부",
    "농식품부": "농림축산식품부",
    "해수부": "해양수산부",
    "기재부": "기획재정부",
    "여가부": "여성가족부",
    "교육과학기술부": "교육부",
}
# 부산광역시 → 부산시, 제주특별자치도 → 제주도, 서울특별시 → 서울시; then 부산시청 → 부산시.
_LOCAL_FORMS = re.compile(r"(특별자치시|광역시|특별시)|(특별자치도)")
_OFFICE = re.compile(r"(?<=[시군구도])청(?=$|[^가-힣])")


def loose_key(name: str) -> str:
    """An organization's name as it is matched when its exact name is not known: without spaces
    or case, with the long forms of local and central bodies folded to one."""
    key = "".join(name.split()).casefold()
    for short, full in MINISTRY_SHORT_FORMS.items():
        if key.startswith(short) and (len(key) == len(short) or not key.startswith(full)):
            key = full + key[len(short) :]
            break
    key = _LOCAL_FORMS.sub(lambda m: "시" if m.group(1) else "도", key)
    return _OFFICE.sub("", key)


class VisitRow(NamedTuple):
    line: int
    program_id: int
    organization: str  # the organization's key in Plan.organizations
    year: int
    visited_on: datetime.date | None
    people: int | None
    purpose: str
    purpose_en: str
    source_id: int | None

    def key(self, organization_id) -> tuple:
        return (self.program_id, organization_id, self.visited_on or self.year)


@dataclass
class NewOrganization:
    name: str
    name_en: str
    kind: str
    region: str
    line: int


@dataclass
class VisitImport:
    """What a file holds and what importing it does (or did)."""

    parsed: ParsedFile = field(default_factory=ParsedFile)
    _names: dict[int, str] = field(default_factory=dict, repr=False)
    # The columns the file has: a stored visit keeps what the file leaves out (its English purpose).
    present: set[str] = field(default_factory=set)
    rows: list[VisitRow] = field(default_factory=list)
    # Names in the file matched to a stored organization by their loose form: name → stored name.
    matched: dict[str, str] = field(default_factory=dict)
    new_organizations: dict[str, NewOrganization] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0})
    dry_run: bool = True
    batch_pk: int | None = None  # the import batch that records it, once written
    # The first rows of each kind, for the admin's preview: kind → [(row, what an update changes
    # from: {"people", "purpose", "source_id"}, or None)].
    keep: int = 0
    preview: dict[str, list[tuple[VisitRow, dict | None]]] = field(
        default_factory=lambda: {"created": [], "updated": [], "unchanged": []}
    )

    def kept(self, kind: str, row: VisitRow, before: dict | None = None) -> None:
        if len(self.preview[kind]) < self.keep:
            self.preview[kind].append((row, before))

    def organization_name(self, row: VisitRow) -> str:
        if row.organization.startswith("new:"):
            return self.new_organizations[row.organization].name
        return self._names.get(int(row.organization), "") if row.organization else ""

    @property
    def ok(self) -> bool:
        return self.parsed.ok


def _word_index(choices, *extra: dict[str, str]) -> dict[str, str]:
    """A choice's code from its code or its label in either language (spaces and case aside)."""
    index = {}
    for code, label in choices:
        index[name_key(code)] = code
        for language in ("ko", "en"):
            with translation.override(language):
                index[name_key(str(label))] = code
    for words in extra:
        index.update({name_key(word): code for word, code in words.items()})
    index.update({loose_key(word): code for word, code in list(index.items())})
    return index


# How a visitor log names a region: 부산, 부산광역시, 경기도, 전북특별자치도 …
REGION_WORDS = {
    "서울특별시": Region.SEOUL,
    "부산광역시": Region.BUSAN,
    "대구광역시": Region.DAEGU,
    "인천광역시": Region.INCHEON,
    "광주광역시": Region.GWANGJU,
    "대전광역시": Region.DAEJEON,
    "울산광역시": Region.ULSAN,
    "세종특별자치시": Region.SEJONG,
    "경기도": Region.GYEONGGI,
    "강원도": Region.GANGWON,
    "강원특별자치도": Region.GANGWON,
    "충청북도": Region.CHUNGBUK,
    "충북": Region.CHUNGBUK,
    "충청남도": Region.CHUNGNAM,
    "충남": Region.CHUNGNAM,
    "전라북도": Region.JEONBUK,
    "전북특별자치도": Region.JEONBUK,
    "전북": Region.JEONBUK,
    "전라남도": Region.JEONNAM,
    "전남": Region.JEONNAM,
    "경상북도": Region.GYEONGBUK,
    "경북": Region.GYEONGBUK,
    "경상남도": Region.GYEONGNAM,
    "경남": Region.GYEONGNAM,
    "제주특별자치도": Region.JEJU,
    "제주도": Region.JEJU,
    "전국": Region.NATIONWIDE,
}
KIND_WORDS = {
    "지자체": OrganizationKind.LOCAL_GOVERNMENT,
    "지방자치단체": OrganizationKind.LOCAL_GOVERNMENT,
    "중앙부처": OrganizationKind.CENTRAL_GOVERNMENT,
    "교육청": OrganizationKind.EDUCATION_OFFICE,
    "연구기관": OrganizationKind.RESEARCH_INSTITUTE,
    "기업": OrganizationKind.COMPANY,
    "시민단체": OrganizationKind.CIVIC_GROUP,
    "재단": OrganizationKind.PUBLIC_FOUNDATION,
    "기타": OrganizationKind.OTHER,
}

_DATE = re.compile(r"(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\.?")
_KOREAN_DATE = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일")
# Excel counts days from 1899-12-30 (its 1900 leap-year bug included); 1950 to 2100 as serials.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_SERIALS = range(18264, 73051)
_PEOPLE = re.compile(r"([\d,]+)\s*(명|people|persons?)?", re.IGNORECASE)


def read_date(text: str) -> datetime.date | str:
    """A visit's date as a log writes it, or the message saying it is not one."""
    match = _DATE.fullmatch(text) or _KOREAN_DATE.fullmatch(text)
    if match is None and text.isascii() and text.isdigit() and int(text) in _EXCEL_SERIALS:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(text))
    if match is None:
        return _("%(text)s is not a date; write 2019-10-21, 2019. 10. 21. or 2019년 10월 21일") % {"text": text}
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return _("%(text)s is not a real date") % {"text": text}


def read_people(text: str) -> int | str:
    match = _PEOPLE.fullmatch(text)
    number = parse_decimal(match.group(1)) if match else None
    if number is None or number != number.to_integral_value() or not 1 <= number <= MAX_PEOPLE:
        return _("%(text)s is not a number of people (write 15 or 15명)") % {"text": text}
    return int(number)


class _Organizations:
    """The stored organizations by exact and by loose name, loaded in one query."""

    def __init__(self):
        self.exact: dict[str, int | None] = {}
        self.loose: dict[str, int | None] = {}
        self.names: dict[int, str] = {}
        for pk, *names in Organization.objects.values_list("pk", "name", "name_ko", "name_en"):
            self.names[pk] = names[1] or names[0]
            for name in {n for n in names if n}:
                for index, key in ((self.exact, name_key(name)), (self.loose, loose_key(name))):
                    index[key] = None if index.get(key, pk) != pk else pk


def parse_visits(stream: BinaryIO) -> VisitImport:
    """Read and check a whole visitor log; never writes. Organizations are resolved to stored ones
    (`row.organization` is then the stored pk as text) or to the new ones the file creates."""
    outcome = VisitImport()
    parsed = outcome.parsed
    read_file(stream, parsed, lambda records: _read_rows(outcome, records))
    if not parsed.ok:
        outcome.rows.clear()
        outcome.new_organizations.clear()
        outcome.matched.clear()
    return outcome


def _read_rows(outcome: VisitImport, records) -> None:
    parsed = outcome.parsed
    header_line, headers = next(records, (1, []))
    if not headers:
        parsed.problem(1, "", _("The file is empty."))
        return
    parsed.headers = headers
    index = match_columns(parsed, header_line, headers, COLUMNS, REQUIRED_COLUMNS)
    if not parsed.ok:
        return
    outcome.present = set(index)
    lookups = parsed.lookups = Lookups()
    read_program = program_reader(lookups)
    stored = _Organizations()
    outcome._names = stored.names
    kinds = _word_index(OrganizationKind.choices, KIND_WORDS)
    regions = _word_index(Region.choices, REGION_WORDS)
    first_line: dict[tuple, int] = {}
    width = len(headers)

    for line, cells in records:
        if len(cells) > width and any(cells[width:]):
            parsed.problem(line, "", _("%(n)s cells but the header has %(m)s columns") % {"n": len(cells), "m": width})
            continue
        cells = [unescape_formula_guard(cell) for cell in cells] + [""] * (width - len(cells))

        def cell(name: str, cells=cells) -> str:
            return cells[index[name]] if name in index else ""

        problems_before = len(parsed.problems)

        def problem(column: str, message: str, line=line, cells=cells) -> None:
            parsed.problem(line, column, message, cells)

        program = read_program(cell("program"))
        if isinstance(program, str):
            problem("program", program)

        year = cell("year")
        if not (year.isascii() and year.isdigit() and MIN_YEAR <= int(year) <= MAX_YEAR):
            problem(
                "year",
                _("%(text)s is not a year between %(min)s and %(max)s")
                % {"text": year or '""', "min": MIN_YEAR, "max": MAX_YEAR},
            )
            year = None
        else:
            year = int(year)

        visited_on = None
        if cell("date"):
            visited_on = read_date(cell("date"))
            if isinstance(visited_on, str):
                problem("date", visited_on)
                visited_on = None
            elif year and visited_on.year != year:
                problem("date", _("%(date)s is not in the year %(year)s") % {"date": visited_on, "year": year})

        people = None
        if cell("people"):
            people = read_people(cell("people"))
            if isinstance(people, str):
                problem("people", people)
                people = None

        purpose, purpose_en = cell("purpose"), cell("purpose_en")
        for column, text in (("purpose", purpose), ("purpose_en", purpose_en)):
            if len(text) > MAX_PURPOSE:
                problem(
                    column,
                    _("%(n)s characters; a purpose has at most %(max)s") % {"n": len(text), "max": MAX_PURPOSE},
                )

        source = None
        if cell("source"):
            source = lookups.source_id(cell("source"))
            if isinstance(source, str):
                problem("source", source)

        organization = _organization(outcome, stored, kinds, regions, line, cell, problem)
        if len(parsed.problems) > problems_before:
            continue
        row = VisitRow(line, program, organization, year, visited_on, people, purpose, purpose_en, source)
        key = row.key(organization)
        if key in first_line:
            if visited_on:
                message = _("the same program, organization and date as line %(first)s")
            else:
                message = _("the same program, organization and year, undated, as line %(first)s")
            problem("", message % {"first": first_line[key]})
            continue
        first_line[key] = line
        outcome.rows.append(row)
    if not outcome.rows and parsed.ok:
        parsed.problem(header_line + 1, "", _("The file has a header but no rows."))
    parsed.row_count = len(outcome.rows)


def _organization(outcome, stored, kinds, regions, line, cell, problem) -> str:
    """The organization a row names: a stored one's pk as text, or a new one's key."""
    name = " ".join(cell("organization").split())
    if not name:
        problem("organization", _("an organization is required"))
        return ""
    if len(name) > MAX_NAME:
        problem("organization", _("%(n)s characters; a name has at most %(max)s") % {"n": len(name), "max": MAX_NAME})
        return ""
    pk = stored.exact.get(name_key(name), 0)
    if not pk:
        loose = stored.loose.get(loose_key(name), 0)
        if loose is None or pk is None:
            problem(
                "organization", _("%(name)s matches more than one organization; write its exact name") % {"name": name}
            )
            return ""
        if loose:
            outcome.matched[name] = stored.names[loose]
            pk = loose
    if pk:
        return str(pk)
    key = "new:" + loose_key(name)
    if key in outcome.new_organizations:
        return key
    kind = kinds.get(name_key(cell("kind"))) or kinds.get(loose_key(cell("kind")))
    region = regions.get(name_key(cell("region"))) or regions.get(loose_key(cell("region")))
    if kind is None:
        problem(
            "kind",
            _("%(name)s is a new organization: give its kind (%(kinds)s)")
            % {"name": name, "kinds": ", ".join(str(label) for label in OrganizationKind.labels)},
        )
    if region is None:
        problem(
            "region",
            _("%(name)s is a new organization: give its region (%(regions)s)")
            % {"name": name, "regions": ", ".join(str(label) for label in Region.labels)},
        )
    if kind and region:
        outcome.new_organizations[key] = NewOrganization(name, cell("organization_en"), kind, region, line)
    return key


def import_visits(
    data: bytes | BinaryIO,
    *,
    dry_run: bool = False,
    user_id: int | None = None,
    reason: str = "CSV import",
    max_bytes: int | None = None,
    keep: int = 0,
    file_name: str = "",
) -> VisitImport:
    """Read, check and (unless dry_run or a problem is found) write a visitor log, in one
    transaction; the outcome says what was (or would be) created, updated and left unchanged."""
    return import_whole_file(
        data,
        kind=ImportKind.VISITS,
        parse=parse_visits,
        write=_write,
        empty=VisitImport,
        dry_run=dry_run,
        user_id=user_id,
        reason=reason,
        max_bytes=max_bytes,
        keep=keep,
        file_name=file_name,
    )


# What a new visit's row holds, in the order the stage table and the INSERT take it.
_STAGED = ("program_id", "organization_id", "year", "visited_on", "people", "purpose", "purpose_ko", "purpose_en")
_STAGED += ("source_id",)


def _copy_created(visits: list[tuple], history: dict) -> None:
    """PostgreSQL: the new visits COPYed into a temporary table, then one statement inserts them
    and their history rows (the INSERT's RETURNING feeds the history INSERT), as the metric
    import writes; building a model object per row and per history row would take most of an
    import's time."""
    columns = ", ".join(_STAGED)
    table = Visit._meta.db_table
    history_table = Visit.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS visit_import_stage")
        cursor.execute(
            "CREATE TEMPORARY TABLE visit_import_stage (program_id bigint, organization_id bigint, year smallint,"
            " visited_on date, people integer, purpose varchar(300), purpose_ko varchar(300),"
            " purpose_en varchar(300), source_id bigint) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY visit_import_stage ({columns}) FROM STDIN") as copy:
            for values in visits:
                copy.write_row(values)
        batch = history["custom_historical_attrs"]["import_batch"]
        user = history["default_user"]
        cursor.execute(
            f"""
            WITH written AS (
                INSERT INTO {table} ({columns}, recorded_at)
                SELECT {columns}, %s FROM visit_import_stage
                RETURNING id, {columns}, recorded_at, desk_request_id
            )
            INSERT INTO {history_table} (id, {columns}, recorded_at, desk_request_id, history_date,
                history_change_reason, history_type, history_user_id, import_batch_id)
            SELECT id, {columns}, recorded_at, desk_request_id, %s, %s, '+', %s, %s FROM written
            """,
            [
                history["default_date"],
                history["default_date"],
                history["default_change_reason"],
                user.pk if user else None,
                batch.pk if batch else None,
            ],
        )


def _write(outcome: VisitImport, dry_run: bool, user_id: int | None, reason: str, batch) -> None:
    history = history_defaults(user_id=user_id, reason=reason, now=timezone.now(), batch=batch)
    new = [
        Organization(name_ko=o.name, name_en=o.name_en or None, kind=o.kind, region=o.region)
        for o in outcome.new_organizations.values()
    ]
    created_organizations = dict.fromkeys(outcome.new_organizations)
    if new and not dry_run:
        bulk_create_with_history(new, Organization, **history)
        ids = dict(Organization.objects.filter(name_ko__in=[o.name_ko for o in new]).values_list("name_ko", "pk"))
        created_organizations = {key: ids[o.name] for key, o in outcome.new_organizations.items()}

    def organization_id(row: VisitRow):
        return created_organizations[row.organization] if row.organization.startswith("new:") else int(row.organization)

    known = [row for row in outcome.rows if not row.organization.startswith("new:")]
    # The stored visits the file may name: key → (pk, people, purpose, purpose in English, source).
    existing = {}
    if known:
        candidates = Visit.objects.filter(
            program__in={row.program_id for row in known}, organization__in={int(row.organization) for row in known}
        )
        for pk, program, organization, year, day, *values in candidates.values_list(
            "pk", "program", "organization", "year", "visited_on", "people", "purpose_ko", "purpose_en", "source"
        ):
            existing[(program, organization, day or year)] = (pk, *values)

    created, changes = [], {}
    for row in outcome.rows:
        stored = existing.get(row.key(organization_id(row))) if not row.organization.startswith("new:") else None
        values = (row.people, row.purpose, row.purpose_en or None, row.source_id)
        if stored is None:
            outcome.kept("created", row)
            created.append(
                (
                    row.program_id,
                    organization_id(row),
                    row.year,
                    row.visited_on,
                    row.people,
                    row.purpose,
                    row.purpose,
                    row.purpose_en or None,
                    row.source_id,
                )
            )
            continue
        pk, *kept = stored
        kept = (kept[0], kept[1] or "", kept[2] or None, kept[3])
        merged = tuple(
            value if column in outcome.present else before
            for column, value, before in zip(("people", "purpose", "purpose_en", "source"), values, kept, strict=True)
        )
        if merged == kept:
            outcome.counts["unchanged"] += 1
            outcome.kept("unchanged", row)
            continue
        outcome.kept("updated", row, {"people": kept[0], "purpose": kept[1], "source_id": kept[3]})
        changes[pk] = merged
    outcome.counts["created"] = len(created)
    outcome.counts["updated"] = len(changes)
    if dry_run:
        return
    updated = []
    for pk, visit in Visit.objects.in_bulk(list(changes)).items():
        visit.people, visit.purpose_ko, visit.purpose_en, visit.source_id = changes[pk]
        visit.purpose = visit.purpose_ko  # the untranslated column, as a save keeps it
        updated.append(visit)
    if created and connection.vendor == "postgresql":
        _copy_created(created, history)
    elif created:
        visits = [Visit(**dict(zip(_STAGED, values, strict=True))) for values in created]
        bulk_create_with_history(visits, Visit, batch_size=1000, **history)
    if updated:
        bulk_update_with_history(
            updated, Visit, ["people", "purpose", "purpose_ko", "purpose_en", "source"], batch_size=1000, **history
        )
    if created or updated:
        touched = {row.program_id for row in outcome.rows}
        years = {row.year for row in outcome.rows}
        visits_imported.send(Visit, program_ids=touched, years=years)
