"""Public pages of programs and indicators."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from decimal import Decimal

from django.db.models import Count, Max, Min, Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from jeonju import charts
from jeonju.cache import cache_public_page
from jeonju.downloads import download_response
from jeonju.views import DownloadableFilterView

from .filters import ProgramFilter
from .models import Award, BudgetLine, FundingSource, Indicator, MetricKind, Milestone, Program, YearlyMetric
from .selectors import VISITING_ORGANIZATIONS, programs_with_figures


@cache_public_page
class ProgramListView(DownloadableFilterView):
    filterset_class = ProgramFilter
    template_name = "programs/program_list.html"
    context_object_name = "programs"
    paginate_by = 20
    download_name = "programs"

    def get_queryset(self):
        return programs_with_figures()

    def download_columns(self):
        return [
            "slug",
            "name_ko",
            "name_en",
            "category",
            "status",
            "start_year",
            "end_year",
            "policies",
            "visiting_organizations_counted",
            "named_visits_on_record",
            "budget_total_krw",
            "url",
        ]

    def download_rows(self, queryset):
        for program in queryset:
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
                program.visit_count,
                program.budget_total,
                self.request.build_absolute_uri(program.get_absolute_url()),
            ]


def _as_of(metric) -> str:
    return _("as of %(date)s") % {"date": metric.as_of.isoformat()} if metric.as_of else ""


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
    """Yearly points of one indicator: the actual value (partial years noted) and any target."""
    by_year: dict[int, dict[str, YearlyMetric]] = defaultdict(dict)
    for metric in metrics:
        by_year[metric.year][metric.kind] = metric
    points = []
    for year in sorted(by_year):
        actual = by_year[year].get(MetricKind.ACTUAL)
        target = by_year[year].get(MetricKind.TARGET)
        points.append(
            charts.Point(
                label=str(year),
                value=actual.value if actual else None,
                partial=bool(actual and actual.as_of),
                note=_as_of(actual) if actual else _("target only"),
                target=target.value if target else None,
            )
        )
    return points


@cache_public_page
class ProgramDetailView(DetailView):
    template_name = "programs/program_detail.html"
    context_object_name = "program"

    def get_queryset(self):
        return Program.objects.prefetch_related(
            "policies",
            "sources",
            Prefetch("milestones", queryset=Milestone.objects.select_related("source")),
            Prefetch("awards", queryset=Award.objects.select_related("source")),
            Prefetch("budget_lines", queryset=BudgetLine.objects.select_related("source")),
            Prefetch(
                "metrics",
                queryset=YearlyMetric.objects.select_related("indicator", "source").order_by("indicator", "year"),
            ),
            Prefetch(
                "visits",
                queryset=self.visit_queryset(),
            ),
        )

    @staticmethod
    def visit_queryset():
        # The public pages sit above all three apps, so a program page may show its visits.
        from visits.models import Visit

        return Visit.objects.select_related("organization", "source").order_by("-year", "-visited_on", "organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        program = self.object
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
            unit = indicator.get_unit_display()
            points = indicator_points(metrics)
            indicators.append(
                {
                    "indicator": indicator,
                    "metrics": metrics,
                    "chart": charts.bar_chart(
                        points, title=indicator.name, unit=unit, x_label=_("Year"), value_label=indicator.name
                    ),
                }
            )

        # Visits: the sources' yearly counts beside the named visitors on record, never added up.
        visits = list(program.visits.all())
        for visit in visits:
            visit.source_ref = refs.ref(visit.source)
        counted = {
            m.year: m
            for m in program.metrics.all()
            if m.indicator.code == VISITING_ORGANIZATIONS and m.kind == "actual"
        }
        named: dict[int, list] = defaultdict(list)
        for visit in visits:
            named[visit.year].append(visit)
        visit_years = [
            {"year": year, "counted": counted.get(year), "named": named.get(year, [])}
            for year in sorted(set(counted) | set(named), reverse=True)
        ]

        # Budget by funding source and year, with totals per source.
        lines = list(program.budget_lines.all())
        totals: OrderedDict[str, dict] = OrderedDict()
        for line in lines:
            line.source_ref = refs.ref(line.source)
            total = totals.setdefault(
                line.funding_source,
                {"label": line.get_funding_source_display(), "planned": None, "executed": None},
            )
            for key, amount in (("planned", line.planned_amount), ("executed", line.executed_amount)):
                if amount is not None:
                    total[key] = (total[key] or 0) + amount
        budget_chart = None
        by_source = [(t["label"], t["planned"] or t["executed"] or 0) for t in totals.values()]
        if len(by_source) > 1:
            budget_chart = charts.hbar_chart(
                by_source, title=_("Budget by funding source (KRW)"), unit=_("KRW"), label_header=_("Funding source")
            )

        milestones = list(program.milestones.all())
        awards = list(program.awards.all())
        for item in [*milestones, *awards]:
            item.source_ref = refs.ref(item.source)

        context.update(
            policies=list(program.policies.all()),
            indicators=indicators,
            visits=visits,
            visit_years=visit_years,
            budget_lines=lines,
            budget_totals=list(totals.values()),
            budget_chart=budget_chart,
            budget_order=[choice for choice, _label in FundingSource.choices],
            milestones=milestones,
            awards=awards,
            sources=list(refs),
        )
        return context


@cache_public_page
class IndicatorListView(ListView):
    template_name = "programs/indicator_list.html"
    context_object_name = "indicators"

    def get_queryset(self):
        return Indicator.objects.annotate(
            program_count=Count("metrics__program", distinct=True),
            value_count=Count("metrics"),
            first_year=Min("metrics__year"),
            last_year=Max("metrics__year"),
        )


@cache_public_page
class IndicatorDetailView(DetailView):
    template_name = "programs/indicator_detail.html"
    context_object_name = "indicator"
    slug_field = "code"
    slug_url_kwarg = "code"
    model = Indicator

    def get(self, request, *args, **kwargs):
        fmt = kwargs.get("format")
        if not fmt:
            return super().get(request, *args, **kwargs)
        indicator = get_object_or_404(Indicator, code=kwargs["code"])
        columns = ["indicator", "unit", "program_slug", "program_name_ko", "program_name_en", "year", "kind"]
        columns += ["value", "as_of", "source"]
        rows = [
            [
                indicator.code,
                indicator.unit,
                m.program.slug,
                m.program.name_ko,
                m.program.name_en,
                m.year,
                m.kind,
                m.value,
                m.as_of,
                str(m.source) if m.source else "",
            ]
            for m in self.metrics(indicator)
        ]
        return download_response(fmt, f"indicator-{indicator.code}", columns, rows, url=request.build_absolute_uri())

    @staticmethod
    def metrics(indicator):
        return indicator.metrics.select_related("program", "source").order_by("program__slug", "year", "kind")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = self.object
        refs = SourceIndex()
        metrics = list(self.metrics(indicator))
        years = sorted({m.year for m in metrics})
        by_program: OrderedDict[Program, dict[int, dict]] = OrderedDict()
        for metric in metrics:
            metric.source_ref = refs.ref(metric.source)
            by_program.setdefault(metric.program, {}).setdefault(metric.year, {})[metric.kind] = metric
        rows = [
            {"program": program, "cells": [cells.get(year, {}) for year in years]}
            for program, cells in by_program.items()
        ]
        series = []
        for program, cells in by_program.items():
            values: dict[str, Decimal] = {}
            partial: dict[str, str] = {}
            for year, kinds in cells.items():
                actual = kinds.get(MetricKind.ACTUAL)
                if actual:
                    values[str(year)] = actual.value
                    if actual.as_of:
                        partial[str(year)] = _as_of(actual)
            series.append(charts.Series(str(program), values, partial))
        chart = None
        if series:
            chart = charts.line_chart(
                [str(y) for y in years],
                series,
                title=_("%(indicator)s per year, by program") % {"indicator": indicator.name},
                unit=indicator.get_unit_display(),
            )
        context.update(years=years, rows=rows, chart=chart, sources=list(refs))
        return context
