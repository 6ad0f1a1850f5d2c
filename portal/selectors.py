"""Queries for the public pages that combine programs with their visits, metrics and budgets.

A program's figures are computed in the database as correlated subqueries, so the sums never
multiply each other through joins; an indicator's sums over the programs reporting every year
are computed in one pass over its values. The pages read both from the kept figures
(ProgramFigures, IndicatorFigures), where portal.figures keeps them as the data changes.
"""

from __future__ import annotations

from collections import Counter, defaultdict, namedtuple
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import get_language

from portal.models import IndicatorFigures
from programs.models import ADDITIVE_UNITS, Indicator, MetricKind, Program, YearlyMetric
from visits.models import Visit

# The indicator holding the yearly counts of visiting organizations given by the sources.
VISITING_ORGANIZATIONS = "visiting-organizations"


def _indicator_id(code: str) -> Subquery:
    """The indicator's id as an uncorrelated scalar subquery: PostgreSQL runs it once per query
    (an InitPlan), not once per program as a join inside a correlated subquery would."""
    return Subquery(Indicator.objects.filter(code=code).values("pk")[:1])


def visiting_organization_counts() -> QuerySet[YearlyMetric]:
    """The sources' yearly counts of visiting organizations (actual values and targets), found by
    the indicator's id (see _indicator_id), not by a join in every subquery built on them."""
    return YearlyMetric.objects.filter(indicator=_indicator_id(VISITING_ORGANIZATIONS))


def with_visit_counts(queryset: QuerySet[Program]) -> QuerySet[Program]:
    """Recorded benchmarking visits per program (named visitors, not the yearly totals).

    A subquery rather than a join, so it composes with the other annotations
    without multiplying their sums.
    """
    # COUNT(*), not COUNT(id): an index-only scan of visits_visit(program_id) answers it.
    visits = (
        Visit.objects.filter(program=OuterRef("pk")).order_by().values("program").annotate(n=Count("*")).values("n")
    )
    return queryset.annotate(visit_count=Coalesce(Subquery(visits), 0))


def counted_visitors(programs: QuerySet[Program]) -> QuerySet[YearlyMetric]:
    """Per program of `programs` with any count, the sum of its yearly counts of visiting
    organizations and what it sums: `total`, `first` and `last` year, `years` (how many),
    `partial` (how many of them are partial-year counts) and `as_of` (the latest one's date)."""
    # Index-only on programs_yearlymetric (indicator, kind, program, year) INCLUDE (value, as_of, …).
    return (
        YearlyMetric.objects.filter(
            indicator=_indicator_id(VISITING_ORGANIZATIONS), kind=MetricKind.ACTUAL, program__in=programs
        )
        .order_by()
        .values("program")
        .annotate(
            total=Sum("value"),
            first=Min("year"),
            last=Max("year"),
            years=Count("*"),
            partial=Count("as_of"),
            as_of=Max("as_of"),
        )
    )


# The figures programs_with_figures gives each program, read from its ProgramFigures row.
LISTED_FIGURES = (
    "visitors_counted",
    "counted_first_year",
    "counted_last_year",
    "counted_years",
    "counted_partial_years",
    "counted_as_of",
    "planned_total",
    "executed_total",
)


def programs_with_figures(queryset: QuerySet[Program] | None = None) -> QuerySet[Program]:
    """Programs annotated with their figures (kept in ProgramFigures by portal.figures):

    - `visitors_counted`: the sum of the yearly counts of visiting organizations (the sources' counts),
      None where no source gives a count at all (shown as "–", not as 0), with what it sums:
      `counted_first_year`, `counted_last_year`, `counted_years`, and `counted_partial_years` with
      `counted_as_of` (the latest partial count's date), and `counted_span` (years from first to last);
    - `visit_count`: the number of named visits on record (a subset of the counts, never added to them);
    - `planned_total` and `executed_total`: the planned and the executed amounts of all budget lines,
      in KRW, apart.
    """
    queryset = Program.objects.all() if queryset is None else queryset
    return queryset.annotate(
        visit_count=Coalesce(F("figures__visit_count"), 0, output_field=IntegerField()),
        **{name: F(f"figures__{name}") for name in LISTED_FIGURES},
        # The years from the first to the last counted: as many as `counted_years` when unbroken.
        counted_span=F("figures__counted_last_year") - F("figures__counted_first_year") + 1,
    )


# What a list shows of a program's policies; `title` in the active language, else in Korean.
PolicyTitle = namedtuple("PolicyTitle", "slug title title_ko title_en")


def with_policy_titles(programs: list[Program]) -> list[Program]:
    """Give each program `policy_titles`, its policies by title, from one query of (program,
    policy) pairs, where a prefetch builds a related manager and a Policy per program and policy."""
    english = (get_language() or "ko").startswith("en")
    by_program: dict[int, list[PolicyTitle]] = defaultdict(list)
    links = Program.policies.through.objects.filter(program__in=[p.pk for p in programs]).values_list(
        "program_id", "policy__slug", "policy__title_ko", "policy__title_en"
    )
    for program_id, slug, title_ko, title_en in links:
        title = (title_en or title_ko) if english else title_ko
        by_program[program_id].append(PolicyTitle(slug, title, title_ko, title_en))
    for program in programs:
        program.policy_titles = sorted(by_program.get(program.pk, []), key=lambda policy: (policy.title, policy.slug))
    return programs


def visiting_organizations_by_year(queryset: QuerySet[YearlyMetric] | None = None):
    """Actual yearly counts of visiting organizations, as {program: {year: metric}}, one query."""
    queryset = YearlyMetric.objects.all() if queryset is None else queryset
    metrics = (
        queryset.filter(indicator__code=VISITING_ORGANIZATIONS, kind=MetricKind.ACTUAL)
        .select_related("program", "source")
        .order_by("year")
    )
    table: dict[Program, dict[int, YearlyMetric]] = defaultdict(dict)
    for metric in metrics:
        table[metric.program][metric.year] = metric
    return table


@dataclass
class YearTotal:
    """One year's sum of an indicator's actual values across programs."""

    year: int
    total: Decimal
    programs: int  # how many programs the sum is over
    as_of: date | None  # the latest as-of date among its values
    partial: bool = False  # a value of the year is partial (as of a date, or marked partial)
    approximate: bool = False  # a value of the year is about so many: so is the sum


# A program's years with a value, as (first year, last year, how many years).
Run = tuple[int, int, int]


@dataclass
class ReportingTotal:
    """The yearly sums of an indicator's actual values over the same programs every year: those
    reporting every year shown. A sum over a different set of programs each year would read
    more programs reporting as growth."""

    years: list[YearTotal]
    programs: int  # the programs in every year's sum
    name_ids: list[int]  # the largest of them (all of them where few), by id
    programs_with_values: int  # every program with an actual value, in the sums or not
    first_year: int  # the first and last year of any actual value, shown or not
    last_year: int
    # Every year with an actual value, shown or not, with the latest date its partial-year values
    # are counted up to (None: whole-year values only): whether a year is on record, and how far.
    latest_as_of: dict[int, date | None] = field(default_factory=dict)
    names: list[Program] = field(default_factory=list)  # those of name_ids still there (from_kept)

    @property
    def first_shown(self) -> int:
        return self.years[0].year

    @property
    def last_shown(self) -> int:
        return self.years[-1].year

    @property
    def more_names(self) -> int:
        return self.programs - len(self.names)

    @property
    def programs_left_out(self) -> int:
        return self.programs_with_values - self.programs

    @property
    def years_left_out(self) -> bool:
        return self.first_year < self.first_shown or self.last_year > self.last_shown

    def kept(self) -> dict:
        """What IndicatorFigures keeps of it (as JSON): the named programs by id."""
        return {
            "years": [asdict(total) for total in self.years],
            "programs": self.programs,
            "names": self.name_ids,
            "programs_with_values": self.programs_with_values,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "latest_as_of": {str(year): as_of for year, as_of in self.latest_as_of.items()},
        }

    @classmethod
    def from_kept(cls, kept: dict) -> ReportingTotal:
        """The sums kept by kept(), with their named programs (one query)."""
        programs = Program.objects.only("slug", "name_ko", "name_en").in_bulk(kept["names"])
        years = [
            YearTotal(
                **{
                    **total,
                    "total": Decimal(total["total"]),
                    "as_of": date.fromisoformat(total["as_of"]) if total["as_of"] else None,
                }
            )
            for total in kept["years"]
        ]
        return cls(
            years=years,
            programs=kept["programs"],
            name_ids=kept["names"],
            names=[programs[pk] for pk in kept["names"] if pk in programs],
            programs_with_values=kept["programs_with_values"],
            first_year=kept["first_year"],
            last_year=kept["last_year"],
            latest_as_of={
                int(year): date.fromisoformat(as_of) if as_of else None for year, as_of in kept["latest_as_of"].items()
            },
        )


def reporting_years(runs: Counter[Run]) -> tuple[int, int] | None:
    """The years to sum over: of the spans of two or more years, the one whose programs reporting
    every year of it give the most values (programs × years); on a tie the later, then the
    longer. Where no program reports two years running, the latest year alone.

    A program's years are known here only by their first, last and number: one with a gap is
    left out of this choice (the sums over the chosen years still count it if it reports each)."""
    if not runs:
        return None
    unbroken: Counter[tuple[int, int]] = Counter()
    for (first, last, years), programs in runs.items():
        if years == last - first + 1:
            unbroken[(first, last)] += programs
    best, best_key = None, (0, 0, 0)
    # A best span starts at some program's first year and ends at some program's last year.
    for start in {first for first, _last in unbroken}:
        for end in {last for _first, last in unbroken}:
            if end <= start:
                continue
            programs = sum(n for (first, last), n in unbroken.items() if first <= start and last >= end)
            key = (programs * (end - start + 1), end, end - start)
            if programs and key > best_key:
                best, best_key = (start, end), key
    if best is None:
        latest = max(last for _first, last, _years in runs)
        return latest, latest
    return best


# How many of the programs in a sum are named beside it (the rest are counted).
NAMED_PROGRAMS = 5


# One actual value as reporting_totals() reads it.
Value = namedtuple("Value", "program year value as_of partial approximate")


def reporting_totals(values: Iterable[Value]) -> ReportingTotal | None:
    """The yearly sums of one indicator's actual `values` over the programs reporting every year
    of reporting_years(), with those programs; None where there is no value. The pages read them
    from the indicator's kept figures (`kept_reporting_totals`), which portal.figures computes
    here as the values change: one pass over the indicator's values."""
    by_program: dict[int, dict[int, Value]] = defaultdict(dict)
    latest_as_of: dict[int, date | None] = {}
    for value in values:
        by_program[value.program][value.year] = value
        previous = latest_as_of.get(value.year)
        latest_as_of[value.year] = max(value.as_of, previous) if value.as_of and previous else value.as_of or previous
    runs = Counter((min(years), max(years), len(years)) for years in by_program.values())
    span = reporting_years(runs)
    if span is None:
        return None
    shown = range(span[0], span[1] + 1)
    # A program with a value for each of the years reports every one of them.
    reporting = {program: years for program, years in by_program.items() if all(y in years for y in shown)}
    totals = []
    for year in shown:
        values = [years[year] for years in reporting.values()]
        dates = [v.as_of for v in values if v.as_of]
        totals.append(
            YearTotal(
                year,
                sum(v.value for v in values),
                len(values),
                max(dates, default=None),
                partial=any(v.as_of or v.partial for v in values),
                approximate=any(v.approximate for v in values),
            )
        )
    # Named largest first: the programs that weigh most in the sums (the earlier entered on a tie).
    shares = {program: sum(years[y].value for y in shown) for program, years in reporting.items()}
    return ReportingTotal(
        years=totals,
        programs=len(reporting),
        name_ids=sorted(shares, key=lambda program: (-shares[program], program))[:NAMED_PROGRAMS],
        programs_with_values=len(by_program),
        first_year=min(first for first, _last, _years in runs),
        last_year=max(last for _first, last, _years in runs),
        latest_as_of=dict(sorted(latest_as_of.items())),
    )


def reporting_to_keep(indicators: QuerySet[Indicator]) -> dict[int, dict | None]:
    """What IndicatorFigures keeps of each indicator's reporting_totals(), by indicator id: for
    the indicators whose values add up, and for the visiting organizations' counts, whatever
    their unit says (the home page sums them). One query of their actual values; `indicators`
    may be of historical models."""
    summed = [
        pk
        for pk, unit, code in indicators.values_list("pk", "unit", "code")
        if unit in ADDITIVE_UNITS or code == VISITING_ORGANIZATIONS
    ]
    metrics = indicators.model._meta.get_field("metrics").related_model.objects
    rows = metrics.filter(indicator__in=summed, kind=MetricKind.ACTUAL).order_by("indicator")
    rows = rows.values_list("indicator", *Value._fields).iterator(chunk_size=1000)
    kept = dict.fromkeys(indicators.values_list("pk", flat=True))
    # An indicator at a time: the memory of one indicator's values, not of every value refreshed.
    for indicator, values in groupby(rows, key=itemgetter(0)):
        total = reporting_totals(Value(*value[1:]) for value in values)
        kept[indicator] = total.kept() if total else None
    return kept


def kept_reporting_totals(indicator: Indicator | str) -> ReportingTotal | None:
    """reporting_totals() of an indicator (or of the indicator with this code), as
    portal.figures keeps them: two small queries. None where its values do not add up
    (percentages) or it has no actual value."""
    which = {"indicator": indicator} if isinstance(indicator, Indicator) else {"indicator__code": indicator}
    kept = IndicatorFigures.objects.filter(**which).values_list("reporting", flat=True).first()
    return ReportingTotal.from_kept(kept) if kept else None


def most_visited_programs(limit: int = 5) -> list[Program]:
    """The programs with the largest sums of yearly counts of visiting organizations, largest
    first, each with `visitors_counted` and `visit_count`: one query of the programs' figures."""
    top = programs_with_figures(Program.objects.only("slug", "name_ko", "name_en"))
    return list(top.filter(visitors_counted__gt=0).order_by("-visitors_counted", "pk")[:limit])
