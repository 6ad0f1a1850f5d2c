"""Public pages of programs and indicators."""

from __future__ import annotations

from collections import OrderedDict, defaultdict

from django.db.models import Count, Exists, F, OuterRef, Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, View
from django.views.generic.detail import SingleObjectMixin

from policies.models import Policy, Source
from portal import attainment, charts, qualifiers
from portal.attainment import attainments, with_status
from portal.cache import cache_public_page
from portal.columns import BUDGET, FIGURES, PROGRAMS
from portal.downloads import Column, download_response
from portal.filters import ProgramFilter
from portal.selectors import VISITING_ORGANIZATIONS, programs_with_figures, with_policy_titles
from portal.views.lists import DownloadableFilterView, visit_columns
from programs.models import (
    Award,
    BudgetLine,
    FundingSource,
    Indicator,
    MetricKind,
    Milestone,
    Program,
    Unit,
    YearlyMetric,
)
from visits.models import FollowUp


@cache_public_page
class ProgramListView(DownloadableFilterView):
    filterset_class = ProgramFilter
    template_name = "programs/program_list.html"
    context_object_name = "programs"
    paginate_by = 20
    download_name = "programs"
    download_fields = PROGRAMS

    # What the list and its download show of a program (its long texts stay in the database).
    list_fields = ("slug", "name_ko", "name_en", "category", "status", "start_year", "end_year")

    def get_queryset(self):
        return programs_with_figures(Program.objects.only(*self.list_fields))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["programs"] = context["object_list"] = with_policy_titles(list(context["programs"]))
        # The documents the figures of this page's programs come from (their counts and budgets).
        shown = [program.pk for program in context["programs"]]
        metrics = YearlyMetric.objects.filter(source=OuterRef("pk"), program__in=shown)
        lines = BudgetLine.objects.filter(source=OuterRef("pk"), program__in=shown)
        context["sources"] = list(Source.objects.filter(Exists(metrics) | Exists(lines)))
        return context

    def download_rows(self, queryset):
        queryset = queryset.prefetch_related(Prefetch("policies", queryset=Policy.objects.only("pk", "slug")))
        for program in queryset.iterator(chunk_size=self.download_chunk_size):
            yield [
                program.slug,
                program.name_ko,
                program.name_en,
                program.category,
                program.status,
                program.start_year,
                program.end_year,
                ";".join(policy.slug for policy in program.policies.all()),
                program.visitors_counted,
                program.counted_first_year,
                program.counted_last_year,
                program.counted_years,
                program.counted_partial_years,
                program.counted_as_of,
                program.visit_count,
                program.planned_total,
                program.executed_total,
                self.request.build_absolute_uri(program.get_absolute_url()),
            ]


class SourceIndex:
    """Numbers the sources of a page in order of first use, for footnote references."""

    def __init__(self):
        self.sources: OrderedDict[int, object] = OrderedDict()

    def ref(self, source) -> int | None:
        if source is None:
            return None
        if source.pk not in self.sources:
            self.sources[source.pk] = source
        return list(self.sources).index(source.pk) + 1

    def __iter__(self):
        return iter(self.sources.values())


def indicator_points(metrics: list[YearlyMetric]) -> list[charts.Point]:
    """Yearly points of one indicator: the actual value (with its as-of, approximation and note)
    and any target."""
    by_year: dict[int, dict[str, YearlyMetric]] = defaultdict(dict)
    for metric in metrics:
        by_year[metric.year][metric.kind] = metric
    return [
        qualifiers.point(str(year), by_year[year].get(MetricKind.ACTUAL), by_year[year].get(MetricKind.TARGET))
        for year in sorted(by_year)
    ]


def _add(total: int | None, amount: int | None) -> int | None:
    return total if amount is None else (total or 0) + amount


def budget_summary(lines: list[BudgetLine]) -> dict:
    """Subtotals per funding source (in the order of FundingSource) and the grand total.

    Planned and executed amounts are summed apart and never mixed; a column with no amount at
    all stays None (shown as "–"), not 0.
    """
    order = {choice: i for i, choice in enumerate(FundingSource.values)}
    subtotals: dict[str, dict] = {}
    total = {"planned": None, "executed": None, "lines": len(lines)}
    for line in lines:
        subtotal = subtotals.setdefault(
            line.funding_source,
            {
                "source": line.funding_source,
                "label": line.get_funding_source_display(),
                "planned": None,
                "executed": None,
                "lines": 0,
            },
        )
        subtotal["lines"] += 1
        for key, amount in (("planned", line.planned_amount), ("executed", line.executed_amount)):
            subtotal[key] = _add(subtotal[key], amount)
            total[key] = _add(total[key], amount)
    ordered = sorted(subtotals.values(), key=lambda s: order.get(s["source"], len(order)))
    return {"subtotals": ordered, "total": total}


# What a program page shows of its visits, however many there are: the most recent ones (as many
# as a page of the visit list, which has them all) and, per year, the number of named visitors
# with their names where they are few.
VISITS_SHOWN = 20
NAMES_PER_YEAR = 10
VISIT_ORDER = (F("year").desc(), F("visited_on").desc(nulls_last=True), "organization")


def visit_years(program: Program, counted: dict[int, YearlyMetric]) -> tuple[list[dict], int]:
    """Per year, newest first: the sources' count of visiting organizations beside the named
    visitors on record (their number, and their names up to NAMES_PER_YEAR), never added up; and
    the number of named visits in all."""
    named_count = dict(program.visits.order_by().values_list("year").annotate(n=Count("*")))
    few = [year for year, n in named_count.items() if n <= NAMES_PER_YEAR]
    named: dict[int, list] = defaultdict(list)
    for visit in program.visits.filter(year__in=few).select_related("organization").order_by(*VISIT_ORDER):
        named[visit.year].append(visit)
    rows = [
        {"year": year, "counted": counted.get(year), "named": named[year], "named_count": named_count.get(year, 0)}
        for year in sorted(set(counted) | set(named_count), reverse=True)
    ]
    return rows, sum(named_count.values())


@cache_public_page
class ProgramDetailView(DetailView):
    template_name = "programs/program_detail.html"
    context_object_name = "program"

    queryset = Program.objects.select_related("hosting", "figures")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        program = self.object
        prefetch_related_objects(
            [program],
            "policies",
            "sources",
            Prefetch("milestones", queryset=Milestone.objects.select_related("source")),
            Prefetch("awards", queryset=Award.objects.select_related("source")),
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("source")),
            Prefetch(
                "metrics",
                queryset=YearlyMetric.objects.select_related("indicator", "source").order_by(
                    "indicator", "year", "kind"
                ),
            ),
        )
        refs = SourceIndex()
        for source in program.sources.all():
            refs.ref(source)

        # Indicators, one chart each.
        grouped: OrderedDict[Indicator, list[YearlyMetric]] = OrderedDict()
        for metric in program.metrics.all():
            metric.source_ref = refs.ref(metric.source)
            grouped.setdefault(metric.indicator, []).append(metric)
        indicators = []
        for indicator, metrics in grouped.items():
            unit = indicator.unit_after_number
            points = indicator_points(metrics)
            indicators.append(
                {
                    "indicator": indicator,
                    "metrics": metrics,
                    "targets": with_status(attainments(metrics), timezone.localdate()),
                    "chart": charts.bar_chart(
                        points,
                        title=indicator.name,
                        unit=unit,
                        x_label=_("Year"),
                        value_label=indicator.name,
                        money=indicator.unit == Unit.KRW,
                        colour=charts.program_colour(program.pk),
                    ),
                }
            )

        # Visits: the sources' yearly counts beside the named visitors on record, and the most
        # recent visits (the visit list, filtered by this program, has them all).
        counted = {
            m.year: m
            for m in program.metrics.all()
            if m.indicator.code == VISITING_ORGANIZATIONS and m.kind == MetricKind.ACTUAL
        }
        years, visits_total = visit_years(program, counted)
        visits = list(program.visits.select_related("organization", "source").order_by(*VISIT_ORDER)[:VISITS_SHOWN])
        for visit in visits:
            visit.source_ref = refs.ref(visit.source)

        # The visit desk (no query for a program it has never hosted): how the program receives
        # visits, if it takes requests, and what its visitors took home.
        hosting = getattr(program, "hosting", None)
        if hosting is not None and hosting.takes_visits:
            hosting.upcoming_closed = list(hosting.closed_days.filter(last_day__gte=timezone.localdate()))

        # What visitors took home: follow-up answers the bodies let publish and staff approved.
        took_home_list = []
        if hosting is not None:
            took_home = FollowUp.objects.filter(approved=True, request__programs=program)
            newest_first = took_home.select_related("request__organization").order_by("-request__confirmed_start")
            took_home_list = list(newest_first[:10])
        figures = getattr(program, "figures", None)

        # Budget lines, subtotals per funding source and the grand total.
        lines = list(program.budget_lines.all())
        for line in lines:
            line.source_ref = refs.ref(line.source)
            line.period_text = line.period_label
        budget = budget_summary(lines)
        budget_chart = None
        by_source = [(t["label"], t["planned"] or t["executed"] or 0) for t in budget["subtotals"]]
        if len(by_source) > 1:
            budget_chart = charts.hbar_chart(
                by_source,
                title=_("Budget by funding source (KRW)"),
                unit=_("KRW"),
                label_header=_("Funding source"),
                money=True,
                colour=charts.program_colour(program.pk),
            )

        milestones = list(program.milestones.all())
        awards = list(program.awards.all())
        for item in [*milestones, *awards]:
            item.source_ref = refs.ref(item.source)

        context.update(
            policies=list(program.policies.all()),
            indicators=indicators,
            visits=visits,
            **visit_columns(visits),
            visits_total=visits_total,
            visit_years=years,
            hosting=hosting if hosting is not None and hosting.takes_visits else None,
            took_home=took_home_list,
            adopted_by=figures.adopted_count if figures is not None else 0,
            past_purposes=list(dict.fromkeys(visit.purpose for visit in visits if visit.purpose))[:5],
            budget_lines=lines,
            budget_subtotals=budget["subtotals"],
            budget_total=budget["total"],
            budget_chart=budget_chart,
            milestones=milestones,
            awards=awards,
            sources=list(refs),
        )
        return context


class ProgramDownloadView(SingleObjectMixin, View):
    """One table of a program page as a file: `format` is "csv" or "json" (the URL allows no other)."""

    model = Program
    download_suffix = "data"
    download_fields: tuple[Column, ...] = ()

    def rows(self, program: Program):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        program = self.get_object()
        return download_response(
            kwargs["format"],
            f"{program.slug}-{self.download_suffix}",
            self.download_fields,
            self.rows(program),
            program=program.slug,
            url=request.build_absolute_uri(),
        )


@cache_public_page
class ProgramBudgetDownloadView(ProgramDownloadView):
    """What a program cost and who paid: every budget line, as on the page (the totals are sums of them)."""

    download_suffix = "budget"
    download_fields = BUDGET

    def rows(self, program):
        for line in program.budget_lines.select_related("source"):
            yield [
                program.slug,
                program.name_ko,
                program.name_en,
                line.start_year,
                line.end_year,
                line.period_label,
                line.funding_source,
                line.planned_amount,
                line.executed_amount,
                line.note_ko,
                line.note_en,
                str(line.source) if line.source else "",
                line.source.url if line.source else "",
            ]


@cache_public_page
class ProgramFiguresDownloadView(ProgramDownloadView):
    """A program's yearly figures (every indicator, actual values and targets) with their sources."""

    download_suffix = "figures"
    download_fields = FIGURES

    def rows(self, program):
        metrics = program.metrics.select_related("indicator", "source").order_by("indicator__code", "year", "kind")
        today = timezone.localdate()
        for m in attainment.with_year_target(metrics):
            yield [
                program.slug,
                m.indicator.code,
                m.indicator.name,
                m.indicator.unit,
                m.year,
                m.kind,
                m.value,
                m.as_of,
                m.note_ko,
                m.note_en,
                str(m.source) if m.source else "",
                m.source.url if m.source else "",
                m.approximate,
                m.is_partial,
                *attainment.download_cells(m, m.indicator.higher_is_better, today),
            ]
