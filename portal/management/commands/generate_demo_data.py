"""Fill the database with synthetic, clearly marked benchmark data on top of the real seeds.

    python manage.py generate_demo_data --scale 100 --seed 1   # ~2,000 programs, 200,000 visits …
    python manage.py generate_demo_data --clear                 # remove every synthetic row again

At --scale N: 20·N programs, 50·N organizations, 2,000·N benchmarking visits, 1,000·N yearly
metric rows (5 seed indicators × 10 years per program) and about 3·N·20 budget lines.

Everything it writes is marked: program slugs start with `demo-`, names with `[demo]`, and every
visit, metric and budget line points at the Source "Synthetic benchmark data — not real".
`--clear` deletes exactly those rows (and runs before every generation, so running the command
twice gives the same database, never duplicates). The same --scale and --seed give the same data.
Rows are written with bulk inserts in batches; no history records are written for them.
"""

import datetime
import itertools
import random
import time
from decimal import Decimal

from django.core.management import BaseCommand
from django.db import connection, transaction
from django.utils import translation

from policies.models import Policy, Source, Status
from portal.cache import bump_generation
from portal.figures import refresh_all_figures
from portal.models import ProgramFigures, SourceFigures
from programs.models import BudgetLine, Category, FundingSource, Indicator, MetricKind, Program, YearlyMetric
from visits.models import Organization, OrganizationKind, Region, Visit

SOURCE_PUBLISHER = "Synthetic benchmark data — not real"
SOURCE_TITLE = "generate_demo_data (가상 데이터 · 실제 자료 아님)"
SLUG_PREFIX = "demo-"
NAME_PREFIX = "[demo]"
BATCH = 5000
YEARS = range(2015, 2025)
# Seed indicators the synthetic metrics use, with a plausible yearly range for each.
INDICATORS = {
    "visiting-organizations": (5, 120),
    "daily-visitors": (50, 900),
    "public-jobs": (1, 80),
    "financial-counseling-cases": (100, 2500),
    "public-purchasing": (50_000_000, 9_000_000_000),
}
REGION_WEIGHTS = {
    Region.SEOUL: 14,
    Region.GYEONGGI: 18,
    Region.JEONBUK: 12,
    Region.JEONNAM: 8,
    Region.GWANGJU: 6,
    Region.BUSAN: 6,
    Region.DAEGU: 5,
    Region.INCHEON: 5,
    Region.DAEJEON: 4,
    Region.CHUNGNAM: 5,
    Region.CHUNGBUK: 4,
    Region.GYEONGNAM: 5,
    Region.GYEONGBUK: 4,
    Region.GANGWON: 4,
    Region.ULSAN: 2,
    Region.SEJONG: 2,
    Region.JEJU: 2,
    Region.NATIONWIDE: 4,
}
KIND_WEIGHTS = {
    OrganizationKind.LOCAL_GOVERNMENT: 50,
    OrganizationKind.PUBLIC_FOUNDATION: 12,
    OrganizationKind.EDUCATION_OFFICE: 6,
    OrganizationKind.CENTRAL_GOVERNMENT: 5,
    OrganizationKind.RESEARCH_INSTITUTE: 7,
    OrganizationKind.COMPANY: 8,
    OrganizationKind.CIVIC_GROUP: 10,
    OrganizationKind.OTHER: 2,
}
KIND_NAMES = {
    OrganizationKind.LOCAL_GOVERNMENT: ("시청 벤치마킹단", "city hall study group"),
    OrganizationKind.PUBLIC_FOUNDATION: ("문화재단", "cultural foundation"),
    OrganizationKind.EDUCATION_OFFICE: ("교육지원청", "education office"),
    OrganizationKind.CENTRAL_GOVERNMENT: ("중앙부처 과", "ministry division"),
    OrganizationKind.RESEARCH_INSTITUTE: ("연구원", "research institute"),
    OrganizationKind.COMPANY: ("주식회사", "company"),
    OrganizationKind.CIVIC_GROUP: ("주민협의체", "residents' council"),
    OrganizationKind.OTHER: ("기관", "organization"),
}
CATEGORY_NAMES = {
    Category.FACILITY: ("문화시설", "cultural facility"),
    Category.REGENERATION: ("재생사업", "regeneration project"),
    Category.INDUSTRY: ("산업·연구", "industry and research"),
    Category.SOCIAL_ECONOMY: ("사회적경제 지원", "social-economy support"),
    Category.WELFARE_SERVICE: ("복지서비스", "welfare service"),
    Category.COMMUNITY: ("공동체 사업", "community program"),
    Category.LOCAL_ECONOMY: ("지역경제", "local economy"),
    Category.ENVIRONMENT: ("환경", "environment"),
    Category.DIGITAL: ("디지털", "digital"),
}
PURPOSES = ("시설 견학", "운영 사례 청취", "정책 벤치마킹", "주민 공동체 교류", "")


with translation.override("ko"):
    REGION_KO = {region: str(region.label) for region in Region}
# Synthetic visits are "recorded" at the end of their year, so the data does not depend on the clock.
RECORDED_AT = {year: datetime.datetime(year, 12, 31, 9, 0, tzinfo=datetime.UTC) for year in YEARS}


def write_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain tuples: COPY on PostgreSQL, batched executemany elsewhere.

    Building model instances (with modeltranslation's __init__) costs far more than the writes.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Command(BaseCommand):
    help = "Add synthetic, clearly marked benchmark data (demo- slugs, a 'not real' source); --clear removes it."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="100 gives ~2,000 programs and 200,000 visits")
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same data")
        parser.add_argument("--clear", action="store_true", help="only remove the synthetic rows")

    def handle(self, *args, scale, seed, clear, **options):
        started = self._lap = time.monotonic()
        self.verbosity = options["verbosity"]
        with transaction.atomic():
            removed = self.clear()
            self.lap("clear")
            if not clear:
                counts = self.generate(scale, random.Random(seed))
            refresh_all_figures()  # plain DELETEs and COPY send no signals
            self.lap("figures")
            if clear:
                self.stdout.write(f"Removed {removed} synthetic rows.")
            else:
                summary = ", ".join(f"{n:,} {name}" for name, n in counts.items())
                self.stdout.write(f"Synthetic data (scale {scale}, seed {seed}): {summary}.")
        bump_generation()
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")

    def lap(self, what: str) -> None:
        now = time.monotonic()
        if self.verbosity >= 2:
            self.stdout.write(f"  {what}: {now - self._lap:.1f} s")
        self._lap = now

    # -- removal ---------------------------------------------------------------------------
    def clear(self) -> int:
        """Delete the synthetic rows with plain DELETEs (no per-row signals or history)."""
        source_ids = list(Source.objects.filter(publisher=SOURCE_PUBLISHER).values_list("pk", flat=True))
        program_ids = Program.objects.filter(slug__startswith=SLUG_PREFIX).values_list("pk", flat=True)
        querysets = [
            Visit.objects.filter(source__in=source_ids),
            Visit.objects.filter(program__in=program_ids),
            YearlyMetric.objects.filter(source__in=source_ids),
            YearlyMetric.objects.filter(program__in=program_ids),
            BudgetLine.objects.filter(source__in=source_ids),
            BudgetLine.objects.filter(program__in=program_ids),
            Program.policies.through.objects.filter(program__in=program_ids),
            ProgramFigures.objects.filter(program__in=program_ids),
            Program.objects.filter(pk__in=program_ids),
            Organization.objects.filter(name__startswith=NAME_PREFIX),
            SourceFigures.objects.filter(source__in=source_ids),
            Source.objects.filter(pk__in=source_ids),
        ]
        removed = 0
        for queryset in querysets:
            removed += queryset._raw_delete(queryset.db) or 0
        return removed

    # -- generation ------------------------------------------------------------------------
    def generate(self, scale: int, rng: random.Random) -> dict[str, int]:
        source = Source.objects.create(
            publisher=SOURCE_PUBLISHER,
            publisher_ko=SOURCE_PUBLISHER,
            publisher_en=SOURCE_PUBLISHER,
            title=SOURCE_TITLE,
            title_ko=SOURCE_TITLE,
            title_en="generate_demo_data (synthetic, not real)",
            year=2024,
            note="Generated for load tests and benchmarks. None of these programs, visits or figures exist.",
        )
        policies = list(Policy.objects.order_by("pk").values_list("pk", flat=True))
        programs = self.programs(scale, rng)
        through = Program.policies.through
        links = [
            through(program_id=program.pk, policy_id=policy)
            for program in programs
            for policy in rng.sample(policies, k=min(len(policies), rng.choice((1, 1, 2))))
        ]
        through.objects.bulk_create(links, batch_size=BATCH)
        self.lap("programs")
        organizations = self.organizations(scale, rng)
        self.lap("organizations")
        visits = self.visits(scale, rng, programs, organizations, source)
        self.lap("visits")
        metrics = self.metrics(rng, programs, source)
        self.lap("yearly metrics")
        budget_lines = self.budget_lines(rng, programs, source)
        self.lap("budget lines and ANALYZE")
        return {
            "programs": len(programs),
            "organizations": len(organizations),
            "visits": visits,
            "yearly metrics": metrics,
            "budget lines": budget_lines,
        }

    def programs(self, scale: int, rng: random.Random) -> list[Program]:
        rows = []
        for n in range(1, 20 * scale + 1):
            category = rng.choice(list(Category))
            ko, en = CATEGORY_NAMES[category]
            start = rng.randint(2005, 2022)
            status = rng.choices([Status.ACTIVE, Status.COMPLETED, Status.PLANNED], weights=[7, 2, 1])[0]
            name_ko = f"{NAME_PREFIX} 가상 {ko} {n:04d}"
            name_en = f"{NAME_PREFIX} Synthetic {en} {n:04d}"
            description_ko = f"부하 시험용 가상 사업입니다 ({ko}). 실제 사업이 아닙니다."
            description_en = f"A synthetic {en} for load tests. It does not exist."
            rows.append(
                Program(
                    slug=f"{SLUG_PREFIX}{n:05d}",
                    name=name_ko,
                    name_ko=name_ko,
                    name_en=name_en,
                    description=description_ko,
                    description_ko=description_ko,
                    description_en=description_en,
                    category=category,
                    status=status,
                    start_year=start,
                    end_year=rng.randint(start, 2024) if status == Status.COMPLETED else None,
                    department="가상 부서 (synthetic)",
                )
            )
        Program.objects.bulk_create(rows, batch_size=BATCH)
        # Primary keys back (SQLite and PostgreSQL both return them; re-read to be portable).
        return list(Program.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug"))

    def organizations(self, scale: int, rng: random.Random) -> list[int]:
        rows = []
        for n in range(1, 50 * scale + 1):
            kind = weighted(rng, KIND_WEIGHTS)
            region = weighted(rng, REGION_WEIGHTS)
            ko, en = KIND_NAMES[kind]
            name_ko = f"{NAME_PREFIX} {REGION_KO[region]} {ko} {n:05d}"
            name_en = f"{NAME_PREFIX} {region.title()} {en} {n:05d}"
            rows.append((name_ko, name_ko, name_en, kind, region, ""))
        write_rows(Organization, ("name", "name_ko", "name_en", "kind", "region", "municipality"), rows)
        return list(
            Organization.objects.filter(name__startswith=NAME_PREFIX).order_by("pk").values_list("pk", flat=True)
        )

    def visits(self, scale, rng, programs, organizations, source) -> int:
        # A few programs draw most visitors (as Palbok does): a Zipf-like weight per program.
        program_ids = [p.pk for p in programs]
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(program_ids))]
        rng.shuffle(weights)
        cumulative = list(itertools.accumulate(weights))
        target = 2000 * scale
        seen_dated, seen_undated = set(), set()
        rows = []
        while len(rows) < target:
            program = rng.choices(program_ids, cum_weights=cumulative)[0]
            organization = rng.choice(organizations)
            year = rng.choice(YEARS)
            if rng.random() < 0.7:
                day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
                key = (program, organization, day)
                seen = seen_dated
            else:
                day = None
                key = (program, organization, year)
                seen = seen_undated
            if key in seen:
                continue
            seen.add(key)
            purpose = rng.choice(PURPOSES)
            people = rng.randint(2, 40) if rng.random() < 0.8 else None
            recorded = RECORDED_AT[year]
            rows.append((program, organization, year, day, people, purpose, purpose, None, source.pk, recorded))
        columns = (
            "program_id",
            "organization_id",
            "year",
            "visited_on",
            "people",
            "purpose",
            "purpose_ko",
            "purpose_en",
            "source_id",
            "recorded_at",
        )
        write_rows(Visit, columns, rows)
        return len(rows)

    def metrics(self, rng, programs, source) -> int:
        indicators = dict(Indicator.objects.filter(code__in=INDICATORS).values_list("code", "pk"))
        rows = []
        for program in programs:
            for code, indicator in sorted(indicators.items()):
                low, high = INDICATORS[code]
                value = rng.uniform(low, high)
                for year in YEARS:
                    value = max(low, min(high, value * rng.uniform(0.85, 1.25)))
                    rows.append((program.pk, indicator, year, Decimal(round(value)), MetricKind.ACTUAL, source.pk, ""))
        write_rows(YearlyMetric, ("program_id", "indicator_id", "year", "value", "kind", "source_id", "note"), rows)
        return len(rows)

    def budget_lines(self, rng, programs, source) -> int:
        rows = []
        funding = [FundingSource.NATIONAL, FundingSource.PROVINCIAL, FundingSource.CITY, FundingSource.PRIVATE]
        for program in programs:
            first = max(program.start_year or 2015, 2015)
            for year in range(first, min(first + rng.randint(1, 5), 2025)):
                for fund in rng.sample(funding, k=rng.randint(1, 3)):
                    planned = rng.randrange(10, 5000) * 1_000_000
                    executed = int(planned * rng.uniform(0.6, 1.0)) if year < 2024 else None
                    rows.append((program.pk, year, year, fund, planned, executed, source.pk, ""))
        columns = (
            "program_id",
            "start_year",
            "end_year",
            "funding_source",
            "planned_amount",
            "executed_amount",
            "source_id",
            "note",
        )
        write_rows(BudgetLine, columns, rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh planner statistics for the new row counts
        return len(rows)
