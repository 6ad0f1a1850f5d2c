"""The indicator pages: every indicator, and one indicator's values over the programs."""

from __future__ import annotations

from collections import OrderedDict

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from policies.models import Source
from portal import attainment
from portal.attainment import attainments, with_status
from portal.cache import cache_public_page
from portal.columns import INDICATOR_VALUES
from portal.downloads import large_download_response
from portal.selectors import kept_reporting_totals
from portal.views.home import programs_chart, reporting_total_chart
from programs.models import (
    ADDITIVE_UNITS,
    Indicator,
    MetricKind,
    Program,
    Unit,
    YearlyMetric,
)

from .programs import SourceIndex


@cache_public_page
class IndicatorListView(ListView):
    template_name = "programs/indicator_list.html"
    context_object_name = "indicators"

    def get_queryset(self):
        # One row per indicator, kept by portal.figures, not an aggregate of every value.
        return Indicator.objects.annotate(
            program_count=Coalesce(F("figures__program_count"), 0),
            value_count=Coalesce(F("figures__value_count"), 0),
            first_year=F("figures__first_year"),
            last_year=F("figures__last_year"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The documents the values come from: a few sources, each looked up in the metric index.
        context["sources"] = list(Source.objects.filter(Exists(YearlyMetric.objects.filter(source=OuterRef("pk")))))
        return context


@cache_public_page(params=("page",))
class IndicatorDetailView(DetailView):
    """An indicator: its yearly total over all programs (where values add up) and its values per
    program and year, a page of programs at a time; the download has every value."""

    template_name = "programs/indicator_detail.html"
    context_object_name = "indicator"
    slug_field = "code"
    slug_url_kwarg = "code"
    model = Indicator
    programs_per_page = 25
    download_chunk_size = 2000
    download_fields = INDICATOR_VALUES

    def get(self, request, *args, **kwargs):
        fmt = kwargs.get("format")
        if not fmt:
            return super().get(request, *args, **kwargs)
        indicator = get_object_or_404(Indicator, code=kwargs["code"])
        today = timezone.localdate()
        rows = (
            [
                indicator.code,
                indicator.name,
                indicator.unit,
                m.program.slug,
                m.program.name_ko,
                m.program.name_en,
                m.year,
                m.kind,
                m.value,
                m.as_of,
                str(m.source) if m.source else "",
                m.approximate,
                m.is_partial,
                *attainment.download_cells(m, indicator.higher_is_better, today),
            ]
            for m in attainment.with_year_target(self.metrics(indicator)).iterator(chunk_size=self.download_chunk_size)
        )
        return large_download_response(
            fmt, f"indicator-{indicator.code}", self.download_fields, rows, url=request.build_absolute_uri()
        )

    @staticmethod
    def metrics(indicator):
        return indicator.metrics.select_related("program", "source").order_by("program__slug", "year", "kind")

    def paginate_programs(self, indicator):
        programs = Program.objects.filter(pk__in=indicator.metrics.values("program")).order_by("slug")
        paginator = Paginator(programs, self.programs_per_page)
        try:
            return paginator, paginator.page(self.request.GET.get("page") or 1)
        except InvalidPage as error:
            raise Http404(_("There is no such page.")) from error

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.build(self.object))
        return context

    def build(self, indicator) -> dict:
        unit = indicator.unit_after_number
        money = indicator.unit == Unit.KRW
        refs = SourceIndex()
        # Every year of the indicator (actual or target).
        years = list(indicator.metrics.order_by("year").values_list("year", flat=True).distinct())
        paginator, page = self.paginate_programs(indicator)
        metrics = list(self.metrics(indicator).filter(program__in=[p.pk for p in page.object_list]))
        by_program: OrderedDict[Program, dict[int, dict]] = OrderedDict((p, {}) for p in page.object_list)
        for metric in metrics:
            metric.source_ref = refs.ref(metric.source)
            by_program[metric.program].setdefault(metric.year, {})[metric.kind] = metric
        rows = [
            {"program": program, "cells": [cells.get(year, {}) for year in years]}
            for program, cells in by_program.items()
        ]
        total_chart = reporting = None
        if indicator.unit in ADDITIVE_UNITS:
            # Summed over the same programs every year: those reporting every year shown.
            reporting = kept_reporting_totals(indicator)
            total_chart = reporting_total_chart(
                reporting,
                title=_("%(indicator)s per year: sum of the programs' values") % {"indicator": indicator.name},
                unit=unit,
                value_label=_("Sum of the programs' values"),
                money=money,
            )
        chart = None
        if paginator.num_pages == 1:
            # Every program fits on the page: one line each (on longer lists the table is paged and
            # the chart above shows the total).
            table = {
                program: {year: kinds[MetricKind.ACTUAL] for year, kinds in cells.items() if MetricKind.ACTUAL in kinds}
                for program, cells in by_program.items()
            }
            chart = programs_chart(
                years,
                {program: by_year for program, by_year in table.items() if by_year},
                _("%(indicator)s per year, by program") % {"indicator": indicator.name},
                unit=unit,
                money=money,
            )
        return {
            "years": years,
            "rows": rows,
            "targets": with_status(attainments(metrics), timezone.localdate()),
            "total_chart": total_chart,
            "reporting": reporting,
            "by_program_chart": chart,
            "sources": list(refs),
            "program_count": paginator.count,
            "paginator": paginator,
            "page_obj": page,
            "is_paginated": paginator.num_pages > 1,
        }
