"""What the admin's first page shows a clerk: the work waiting for their role, each item linking
to where it is done. A role sees only the sections its permissions reach; every section is a
few queries, whatever the size of the data."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from policies.models import Status
from programs.models import BudgetLine, ImportBatch, MetricKind, Program, YearlyMetric
from visits.models import RequestState, VisitRequest

# Items listed per section; the section's link leads to all of them.
SHOWN = 8


@dataclass
class Item:
    label: str
    url: str
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    total: int
    url: str
    items: list[Item] = field(default_factory=list)


def _change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _list_url(model, query: str = "") -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{query}" if query else url


def clerk_sections(user, today=None) -> list[Section]:
    """The dashboard's sections for `user`, in the order of the day's work."""
    today = today or timezone.localdate()
    sections = []
    if user.has_perm("visits.view_visitrequest"):
        sections.append(_waiting_requests(user))
    if user.has_perm("programs.add_yearlymetric"):
        sections.append(_programs_without_last_year(today.year - 1))
        sections.append(_partial_years_ended(today.year))
    if user.has_perm("programs.change_budgetline"):
        sections.append(_budget_without_execution(today.year))
    if user.has_perm("programs.view_importbatch"):
        sections.append(_last_imports())
    return [section for section in sections if section is not None]


def _waiting_requests(user) -> Section:
    waiting = VisitRequest.objects.filter(state__in=(RequestState.RECEIVED, RequestState.UNDER_REVIEW))
    if not (user.is_superuser or user.has_perm("visits.handle_visitrequest")):
        waiting = waiting.filter(programs__hosting__hosts=user).distinct()
    oldest = waiting.select_related("organization").order_by("created_at")
    return Section(
        "requests",
        _("Visit requests waiting"),
        waiting.count(),
        _list_url(VisitRequest, "state=open"),
        [
            Item(
                f"{request_obj.reference} · {request_obj.organization_name}",
                _change_url(request_obj),
                _("received %(date)s") % {"date": timezone.localdate(request_obj.created_at).isoformat()},
            )
            for request_obj in oldest[:SHOWN]
        ],
    )


def _programs_without_last_year(year: int) -> Section:
    has_figure = YearlyMetric.objects.filter(program=OuterRef("pk"), year=year, kind=MetricKind.ACTUAL)
    missing = Program.objects.filter(status=Status.ACTIVE).filter(~Exists(has_figure)).order_by("name_ko")
    return Section(
        "no-figure",
        _("Active programs with no figure for %(year)s") % {"year": year},
        missing.count(),
        _list_url(YearlyMetric, "import"),
        [
            Item(str(program), _list_url(YearlyMetric, f"program__id__exact={program.pk}"))
            for program in missing[:SHOWN]
        ],
    )


def _partial_years_ended(this_year: int) -> Section:
    due = YearlyMetric.objects.filter(Q(partial=True) | Q(as_of__isnull=False), kind=MetricKind.ACTUAL)
    due = due.filter(year__lt=this_year).select_related("program", "indicator").order_by("-year", "program")
    return Section(
        "partial",
        _("Partial-year figures whose year has ended (the full-year figure is due)"),
        due.count(),
        _list_url(YearlyMetric, "partial__exact=1") if due.filter(partial=True).exists() else _list_url(YearlyMetric),
        [
            Item(
                f"{metric.program} · {metric.indicator} · {metric.year}",
                _change_url(metric),
                _("as of %(date)s") % {"date": metric.as_of.isoformat()} if metric.as_of else _("partial"),
            )
            for metric in due[:SHOWN]
        ],
    )


def _budget_without_execution(this_year: int) -> Section:
    ended = Q(end_year__lt=this_year) | Q(end_year__isnull=True, start_year__lt=this_year)
    lines = BudgetLine.objects.filter(ended, executed_amount__isnull=True).select_related("program")
    lines = lines.order_by("-end_year", "program")
    return Section(
        "no-execution",
        _("Budget lines of a finished year with no executed amount"),
        lines.count(),
        _list_url(BudgetLine),
        [Item(str(line), _change_url(line)) for line in lines[:SHOWN]],
    )


def _last_imports() -> Section:
    batches = ImportBatch.objects.select_related("user").order_by("-created_at", "-pk")
    return Section(
        "imports",
        _("Last imports"),
        batches.count(),
        _list_url(ImportBatch),
        [
            Item(
                str(batch),
                _change_url(batch),
                _("%(when)s by %(user)s: %(created)s created, %(updated)s updated")
                % {
                    "when": timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M"),
                    "user": batch.user or "-",
                    "created": batch.created_count,
                    "updated": batch.updated_count,
                },
            )
            for batch in batches[:SHOWN]
        ],
    )
