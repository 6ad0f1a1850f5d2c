"""Each program's figures for the public lists, kept in `ProgramFigures` as the data changes,
and each indicator's in `IndicatorFigures`.

A list of programs sorted by visiting organizations would otherwise sum every program's yearly
counts and count every program's visits on each request (correlated subqueries over the whole
filtered set before the first row can be sent). The sums are computed here instead, the moment a
visit, a yearly metric or a budget line is saved or deleted (one program's row, a few queries),
and for every program at once after the writes that send no model signals: the metric import
(through its own signal, `programs.signals.metrics_imported`), `generate_demo_data`, `load_seed`.
`python manage.py refresh_program_figures` recomputes them all.
The indicator list's counts (programs, values, first and last year of each indicator) would
likewise aggregate every yearly metric on each request, the home and indicator pages' sums over
the programs reporting every year read every value of the indicator, the unfiltered visit list's
totals and charts every visit (three quarters of its SQL at --scale 100), the home page's
sources every visit and count and its money headlines every budget line: they are kept the same
way, in `IndicatorFigures`, in `VisitFigures` (one row per year and region of origin), in
`SourceFigures` and in `BudgetFigures` (one row per kind of amount and of period).

Concurrent writers of one program are serialized here: a recomputation first locks the figures
rows it will write (creating missing ones), in program order, then reads the data. A second
transaction changing the same program waits at that lock until the first has committed, and its
reading statement then sees the first one's rows (PostgreSQL's READ COMMITTED takes a new
snapshot for each statement), so whichever writes last writes figures that count both; locking
in one order means two refreshes of overlapping programs wait for each other but never deadlock.
The rows locked are the ones the refresh writes, which it held until the end of the writing
transaction anyway: the lock is only taken earlier, before the reading instead of at the writing.
SQLite lets one writer in at a time and needs no lock.
"""

from collections.abc import Iterable

from django.db import connections, router, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from policies.models import Source
from portal.cache import bump_generation
from programs.models import BudgetLine, Indicator, MetricKind, Program, YearlyMetric
from programs.signals import batch_undone, budget_lines_imported, metrics_imported
from visits.models import FollowUp, Organization, Region, Visit, VisitRequest
from visits.signals import visits_imported

from .models import BudgetFigures, IndicatorFigures, ProgramFigures, SourceFigures, VisitFigures
from .selectors import (
    LISTED_FIGURES,
    counted_visitors,
    reporting_to_keep,
    visiting_organization_counts,
    with_visit_counts,
)

FIGURE_FIELDS = ("visit_count", *LISTED_FIGURES, "adopted_count")


def refresh_program_figures(program_ids: Iterable[int] | None = None) -> int:
    """Recompute the figures of the given programs (all when None), and of the indicators they
    have values of; returns how many programs."""
    count = _refresh_programs(program_ids)
    indicators = None
    if program_ids is not None:
        indicators = YearlyMetric.objects.filter(program__in=set(program_ids)).values_list("indicator", flat=True)
        indicators = set(indicators.distinct().order_by())
    refresh_indicator_figures(indicators)
    return count


def refresh_all_figures() -> int:
    """Recompute every figure, after writes that send no model signals (fixtures, COPY, a
    restored backup); returns how many programs."""
    count = refresh_program_figures()
    refresh_visit_figures()
    refresh_source_figures()
    refresh_budget_figures()
    return count


def refresh_source_figures(source_ids: Iterable[int] | None = None) -> int:
    """Recompute how many visits, counts of visiting organizations and budget lines cite the
    given sources (all when None); returns how many sources."""
    sources = Source.objects.all() if source_ids is None else Source.objects.filter(pk__in=set(source_ids))
    with transaction.atomic(savepoint=False):
        _lock_figures(SourceFigures, "source", sources)
        citing = {
            "visit_count": Visit.objects.all(),
            "counted_values": visiting_organization_counts().filter(kind=MetricKind.ACTUAL),
            "budget_line_count": BudgetLine.objects.all(),
        }
        counts = {
            field: dict(rows.filter(source__in=sources).order_by().values_list("source").annotate(n=Count("*")))
            for field, rows in citing.items()
        }
        figures = [
            SourceFigures(source_id=pk, **{field: counts[field].get(pk, 0) for field in citing})
            for pk in sources.values_list("pk", flat=True)
        ]
        SourceFigures.objects.bulk_create(
            figures, batch_size=1000, update_conflicts=True, unique_fields=["source"], update_fields=list(citing)
        )
        return len(figures)


# The two kinds of money, never added together, and a budget line's kinds of period: one fiscal
# year, several, or a first year the source does not give (a total "by 2024", or no years at all).
BUDGET_AMOUNTS = ("planned", "executed")
BUDGET_PERIODS = {
    "one_year": Q(start_year__isnull=False) & (Q(end_year__isnull=True) | Q(end_year=F("start_year"))),
    "multi_year": Q(start_year__isnull=False, end_year__gt=F("start_year")),
    "period_not_given": Q(start_year__isnull=True),
}


def refresh_budget_figures() -> int:
    """Recompute the budget figures (six rows); returns how many rows."""
    with transaction.atomic(savepoint=False):
        if connections[router.db_for_write(BudgetFigures)].features.has_select_for_update:
            # Serialized as the other figures are (see above): the rows locked, then the lines read.
            cells = [
                BudgetFigures(amount=amount, period=period) for amount in BUDGET_AMOUNTS for period in BUDGET_PERIODS
            ]
            BudgetFigures.objects.bulk_create(cells, ignore_conflicts=True)
            list(BudgetFigures.objects.order_by("amount", "period").select_for_update().values_list("pk", flat=True))
        figures = [BudgetFigures(**row) for row in budget_figures_to_keep(BudgetLine.objects.all())]
        BudgetFigures.objects.bulk_create(
            figures,
            update_conflicts=True,
            unique_fields=["amount", "period"],
            update_fields=["line_count", "total", "first_year", "last_year"],
        )
        return len(figures)


def budget_figures_to_keep(lines) -> list[dict]:
    """The budget lines giving an amount of each kind, counted and summed by kind of period, with
    the years they cover: one aggregate over `lines` (which may be of a historical model)."""
    cells = [(amount, period) for amount in BUDGET_AMOUNTS for period in BUDGET_PERIODS]
    aggregates = {}
    for amount, period in cells:
        has = Q(**{f"{amount}_amount__isnull": False}) & BUDGET_PERIODS[period]
        aggregates[f"{amount}_{period}_lines"] = Count("pk", filter=has)
        aggregates[f"{amount}_{period}_total"] = Sum(f"{amount}_amount", filter=has)
        aggregates[f"{amount}_{period}_first"] = Min("start_year", filter=has)
        aggregates[f"{amount}_{period}_last"] = Max(Coalesce("end_year", "start_year"), filter=has)
    row = lines.order_by().aggregate(**aggregates)
    return [
        {
            "amount": amount,
            "period": period,
            "line_count": row[f"{amount}_{period}_lines"],
            "total": row[f"{amount}_{period}_total"],
            "first_year": row[f"{amount}_{period}_first"],
            "last_year": row[f"{amount}_{period}_last"],
        }
        for amount, period in cells
    ]


def _refresh_programs(program_ids: Iterable[int] | None) -> int:
    programs = Program.objects.all() if program_ids is None else Program.objects.filter(pk__in=set(program_ids))
    with transaction.atomic(savepoint=False):
        _lock_figures(ProgramFigures, "program", programs)
        return _recompute(programs)


# Indicators recomputed and written at a time: an indicator's sums hold a row per year shown, so
# the memory of a refresh is that of this many indicators, not of every indicator an import touched.
INDICATORS_PER_WRITE = 10


def refresh_indicator_figures(indicator_ids: Iterable[int] | None = None) -> int:
    """Recompute the figures of the given indicators (all when None); returns how many."""
    if indicator_ids is None:
        indicators = Indicator.objects.all()
    else:
        indicators = Indicator.objects.filter(pk__in=set(indicator_ids))
    with transaction.atomic(savepoint=False):
        _lock_figures(IndicatorFigures, "indicator", indicators)
        ids = list(indicators.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), INDICATORS_PER_WRITE):
            _write_indicator_figures(Indicator.objects.filter(pk__in=ids[start : start + INDICATORS_PER_WRITE]))
        return len(ids)


def _write_indicator_figures(indicators) -> None:
    rows = indicators.order_by().annotate(
        n_programs=Count("metrics__program", distinct=True),
        n_values=Count("metrics"),
        first=Min("metrics__year"),
        last=Max("metrics__year"),
    )
    reporting = reporting_to_keep(indicators)
    figures = [
        IndicatorFigures(
            indicator_id=pk,
            program_count=programs,
            value_count=values,
            first_year=first,
            last_year=last,
            reporting=reporting[pk],
        )
        for pk, programs, values, first, last in rows.values_list("pk", "n_programs", "n_values", "first", "last")
    ]
    IndicatorFigures.objects.bulk_create(
        figures,
        update_conflicts=True,
        unique_fields=["indicator"],
        update_fields=["program_count", "value_count", "first_year", "last_year", "reporting"],
    )


def refresh_visit_figures(cells: Iterable[tuple[int, str]] | None = None) -> int:
    """Recompute the visit figures of the given (year, region) cells (all when None); returns how
    many cells have visits. A cell left with no visit is deleted, as the lists show no zero rows."""
    with transaction.atomic(savepoint=False):
        if cells is None:
            visits = Visit.objects.all()
            VisitFigures.objects.select_for_update().delete()
        else:
            cells = sorted(set(cells))
            if not cells:
                return 0
            _lock_cells(cells)
            visits = Visit.objects.filter(_any_cell(cells, region="organization__region"))
        rows = visits.order_by().values_list("year", "organization__region")
        rows = rows.annotate(n=Count("*"), people=Sum("people"))
        figures = [VisitFigures(year=y, region=r, visit_count=n, people=people) for y, r, n, people in rows]
        VisitFigures.objects.bulk_create(
            figures,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["year", "region"],
            update_fields=["visit_count", "people"],
        )
        if cells is not None:
            empty = set(cells) - {(f.year, f.region) for f in figures}
            if empty:
                VisitFigures.objects.filter(_any_cell(empty)).delete()
        return len(figures)


def _any_cell(cells: Iterable[tuple[int, str]], region: str = "region") -> Q:
    condition = Q(pk__in=[])
    for year, where in cells:
        condition |= Q(year=year, **{region: where})
    return condition


def _lock_cells(cells: list[tuple[int, str]]) -> None:
    """Lock the visit figures of `cells` (creating missing ones) in (year, region) order, as
    `_lock_figures` does for programs."""
    if not connections[router.db_for_write(VisitFigures)].features.has_select_for_update:
        return
    VisitFigures.objects.bulk_create([VisitFigures(year=y, region=r) for y, r in cells], ignore_conflicts=True)
    locked = VisitFigures.objects.filter(_any_cell(cells)).order_by("year", "region").select_for_update()
    list(locked.values_list("pk", flat=True))


def _lock_figures(model, key: str, objects) -> None:
    """Lock the figures rows of `objects` (creating missing ones) in key order; see above."""
    if not connections[router.db_for_write(model)].features.has_select_for_update:
        return
    ids = list(objects.order_by("pk").values_list("pk", flat=True))
    # An object without figures yet has no row to lock: create it, which waits for another
    # transaction creating the same row, as the lock would.
    model.objects.bulk_create([model(**{f"{key}_id": pk}) for pk in ids], batch_size=1000, ignore_conflicts=True)
    locked = model.objects.filter(**{f"{key}__in": objects}).order_by("pk").select_for_update()
    list(locked.values_list("pk", flat=True))


def _recompute(programs) -> int:
    rows = with_visit_counts(programs.order_by().with_budget_totals()).values_list(
        "pk", "visit_count", "planned_total", "executed_total"
    )
    counted = {row["program"]: row for row in counted_visitors(programs)}
    published = FollowUp.objects.filter(approved=True, request__programs__in=programs).order_by()
    adopted = dict(published.values_list("request__programs").annotate(n=Count("request__organization", distinct=True)))
    figures = []
    for pk, visits, planned, executed in rows:
        count = counted.get(pk, {})
        figures.append(
            ProgramFigures(
                program_id=pk,
                visit_count=visits,
                visitors_counted=count.get("total"),
                counted_first_year=count.get("first"),
                counted_last_year=count.get("last"),
                counted_years=count.get("years", 0),
                counted_partial_years=count.get("partial", 0),
                counted_as_of=count.get("as_of"),
                planned_total=planned,
                executed_total=executed,
                adopted_count=adopted.get(pk, 0),
            )
        )
    ProgramFigures.objects.bulk_create(
        figures, batch_size=1000, update_conflicts=True, unique_fields=["program"], update_fields=FIGURE_FIELDS
    )
    return len(figures)


def _remember_program(sender, instance, raw=False, **kwargs):
    # A row moved to another program (a metric to another indicator) changes the figures of both.
    if not raw and not instance._state.adding:
        previous = sender._default_manager.filter(pk=instance.pk)
        instance._figures_previous_program, instance._figures_previous_source = previous.values_list(
            "program_id", "source_id"
        ).first() or (None, None)
        if sender is YearlyMetric:
            instance._figures_previous_indicator = previous.values_list("indicator_id", flat=True).first()
        if sender is Visit:
            instance._figures_previous_cell = previous.values_list("year", "organization__region").first()


def _row_changed(sender, instance, **kwargs):
    _refresh_programs({instance.program_id, getattr(instance, "_figures_previous_program", None)} - {None})
    refresh_source_figures({instance.source_id, getattr(instance, "_figures_previous_source", None)} - {None})
    if sender is YearlyMetric:
        refresh_indicator_figures(
            {instance.indicator_id, getattr(instance, "_figures_previous_indicator", None)} - {None}
        )
    if sender is BudgetLine:
        refresh_budget_figures()


def _visit_changed(sender, instance, raw=False, **kwargs):
    # Fixtures load rows in any order (the organization may come later): their loaders
    # recompute every figure once all are in.
    if raw:
        return
    region = Organization.objects.filter(pk=instance.organization_id).values_list("region", flat=True).first()
    refresh_visit_figures({(instance.year, region), getattr(instance, "_figures_previous_cell", None)} - {None})


def _remember_region(sender, instance, raw=False, **kwargs):
    if not raw and not instance._state.adding:
        previous = sender.objects.filter(pk=instance.pk).values_list("region", flat=True)
        instance._figures_previous_region = previous.first()


def _organization_changed(sender, instance, raw=False, **kwargs):
    # An organization's visits move to another region of origin with it.
    previous = getattr(instance, "_figures_previous_region", None)
    if raw or previous is None or previous == instance.region:
        return
    years = set(instance.visits.order_by().values_list("year", flat=True).distinct())
    refresh_visit_figures({(year, region) for year in years for region in (previous, instance.region)})


def _follow_up_changed(sender, instance, raw=False, **kwargs):
    # An answer approved, withdrawn or deleted changes the count of its request's programs.
    if not raw:
        _refresh_programs(instance.request.programs.values_list("pk", flat=True))


def _published(request_ids) -> bool:
    return FollowUp.objects.filter(request__in=request_ids, approved=True).exists()


def _request_saved(sender, instance, raw=False, **kwargs):
    # A request with a published answer whose organization may have changed.
    if not raw and _published([instance.pk]):
        _refresh_programs(instance.programs.values_list("pk", flat=True))


def _remember_request_programs(sender, instance, **kwargs):
    # Its program links and its answer go before the request: count them again once it is gone.
    if _published([instance.pk]):
        instance._figures_programs = set(instance.programs.values_list("pk", flat=True))


def _request_deleted(sender, instance, **kwargs):
    if getattr(instance, "_figures_programs", None):
        _refresh_programs(instance._figures_programs)


def _request_programs_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Programs added to or taken from a request with a published answer, from either side.
    if action == "pre_clear":
        _remember_request_programs(sender, instance)
        if reverse:
            instance._figures_programs = {instance.pk}
        return
    if action == "post_clear":
        _request_deleted(sender, instance)
        return
    if action not in ("post_add", "post_remove"):
        return
    if reverse:
        if _published(pk_set):
            _refresh_programs([instance.pk])
    elif _published([instance.pk]):
        _refresh_programs(pk_set)


def _program_loaded(sender, instance, raw=False, **kwargs):
    # Fixtures load rows in any order: a program loaded after its visits gets its figures here.
    if raw:
        _refresh_programs([instance.pk])


def _indicator_changed(sender, instance, **kwargs):
    # The counts are those of the indicator with the visiting-organizations code: any change of
    # an indicator's code may change every program's count, and which sources they cite.
    refresh_program_figures()
    refresh_source_figures()


def _rows_imported(sender, program_ids, **kwargs):
    # Inside the import's transaction, so the figures commit with the rows. The cache
    # generation as portal.cache bumps it for a save: at once, and again after the commit
    # (another process may cache the old rows under the new generation in between).
    refresh_program_figures(program_ids)
    refresh_source_figures()
    bump_generation()
    transaction.on_commit(bump_generation)


def _budget_lines_imported(sender, program_ids, **kwargs):
    refresh_budget_figures()
    _rows_imported(sender, program_ids)


def _visits_imported(sender, program_ids, years, **kwargs):
    # As for metrics: inside the import's transaction, then the cache generation.
    _refresh_programs(program_ids)
    cells = {(year, region) for year in years for region in Region.values}
    # Past a few years, one pass over every visit costs less than a condition per cell.
    refresh_visit_figures(cells if len(years) <= 3 else None)
    refresh_source_figures()
    bump_generation()
    transaction.on_commit(bump_generation)


def _batch_undone(sender, rows, **kwargs):
    # The rows an undo deleted, restored or created again, as an import's.
    programs, years = set(), set()
    for model, changed in rows.items():
        if model in (YearlyMetric, BudgetLine, Visit):
            programs |= {row.program_id for row in changed}
        if model is Visit:
            years |= {row.year for row in changed}
    _visits_imported(sender, program_ids=programs, years=years)
    refresh_indicator_figures({row.indicator_id for row in rows.get(YearlyMetric, ())})
    if BudgetLine in rows:
        refresh_budget_figures()


def connect_signals() -> None:
    for model in (Visit, YearlyMetric, BudgetLine):
        uid = f"portal.figures.{model._meta.label_lower}"
        pre_save.connect(_remember_program, sender=model, dispatch_uid=f"{uid}.pre_save")
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"{uid}.post_save")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"{uid}.post_delete")
    post_save.connect(_visit_changed, sender=Visit, dispatch_uid="portal.figures.visit.post_save")
    post_delete.connect(_visit_changed, sender=Visit, dispatch_uid="portal.figures.visit.post_delete")
    pre_save.connect(_remember_region, sender=Organization, dispatch_uid="portal.figures.organization.pre_save")
    post_save.connect(_organization_changed, sender=Organization, dispatch_uid="portal.figures.organization")
    post_save.connect(_follow_up_changed, sender=FollowUp, dispatch_uid="portal.figures.followup.post_save")
    post_delete.connect(_follow_up_changed, sender=FollowUp, dispatch_uid="portal.figures.followup.post_delete")
    post_save.connect(_request_saved, sender=VisitRequest, dispatch_uid="portal.figures.visitrequest.post_save")
    pre_delete.connect(
        _remember_request_programs, sender=VisitRequest, dispatch_uid="portal.figures.visitrequest.pre_delete"
    )
    post_delete.connect(_request_deleted, sender=VisitRequest, dispatch_uid="portal.figures.visitrequest.post_delete")
    m2m_changed.connect(
        _request_programs_changed,
        sender=VisitRequest.programs.through,
        dispatch_uid="portal.figures.visitrequest.programs",
    )
    post_save.connect(_program_loaded, sender=Program, dispatch_uid="portal.figures.program")
    post_save.connect(_indicator_changed, sender=Indicator, dispatch_uid="portal.figures.indicator.save")
    post_delete.connect(_indicator_changed, sender=Indicator, dispatch_uid="portal.figures.indicator.delete")
    metrics_imported.connect(_rows_imported, dispatch_uid="portal.figures.metrics_imported")
    budget_lines_imported.connect(_budget_lines_imported, dispatch_uid="portal.figures.budget_lines_imported")
    visits_imported.connect(_visits_imported, dispatch_uid="portal.figures.visits_imported")
    batch_undone.connect(_batch_undone, dispatch_uid="portal.figures.batch_undone")
