"""Each program's figures (ProgramFigures), each indicator's (IndicatorFigures: its counts and its
sums over the programs reporting every year), the visits' by year and region (VisitFigures) and
the sources' (SourceFigures: what cites them) and the budget lines' (BudgetFigures: the home
page's money headlines), stay what a full recomputation gives, whatever
writes the data: a save, a delete, a visit moved between programs, years or regions, the metric
import, the seed, the synthetic data generator."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from portal import cache as page_cache
from portal.figures import (
    FIGURE_FIELDS,
    refresh_budget_figures,
    refresh_program_figures,
    refresh_source_figures,
    refresh_visit_figures,
)
from portal.models import BudgetFigures, IndicatorFigures, ProgramFigures, SourceFigures, VisitFigures
from portal.selectors import kept_reporting_totals, programs_with_figures, reporting_to_keep
from programs.models import BudgetLine, Indicator
from tests.factories import (
    BudgetLineFactory,
    OrganizationFactory,
    ProgramFactory,
    VisitFactory,
    YearlyMetricFactory,
)
from visits.models import Region, Visit

pytestmark = pytest.mark.django_db


def stored() -> dict:
    return {f.program_id: tuple(getattr(f, name) for name in FIGURE_FIELDS) for f in ProgramFigures.objects.all()}


def indicator_figures() -> dict:
    return {
        f.indicator_id: (f.program_count, f.value_count, f.first_year, f.last_year, f.reporting)
        for f in IndicatorFigures.objects.all()
    }


def source_figures() -> dict:
    return {f.source_id: (f.visit_count, f.counted_values, f.budget_line_count) for f in SourceFigures.objects.all()}


def visit_cells() -> dict:
    return {(f.year, f.region): (f.visit_count, f.people) for f in VisitFigures.objects.all()}


def budget_figures() -> dict:
    return {
        (f.amount, f.period): (f.line_count, f.total, f.first_year, f.last_year) for f in BudgetFigures.objects.all()
    }


def assert_consistent():
    before, indicators, cells, sources = stored(), indicator_figures(), visit_cells(), source_figures()
    budget = budget_figures()
    refresh_program_figures()
    refresh_visit_figures()
    refresh_source_figures()
    refresh_budget_figures()
    assert budget_figures() == budget
    assert stored() == before
    assert indicator_figures() == indicators
    assert visit_cells() == cells
    assert {pk: counts for pk, counts in source_figures().items() if any(counts)} == {
        pk: counts for pk, counts in sources.items() if any(counts)
    }


def figures(program) -> tuple:
    p = programs_with_figures().get(pk=program.pk)
    return p.visit_count, p.visitors_counted, p.planned_total, p.executed_total


def test_the_seed_is_loaded_with_its_figures(palbok):
    assert_consistent()
    visits, counted, planned, executed = figures(palbok)
    # The source gives Palbok's 5.0 bn as money spent, and no plan: executed, not a budget plan.
    assert counted >= 84 and (planned, executed) == (None, 5_000_000_000)


def test_saves_deletes_and_moves_keep_the_figures():
    indicator = Indicator.objects.get(code="visiting-organizations")
    a, b = ProgramFactory(), ProgramFactory()
    assert figures(a) == (0, None, None, None)  # a new program, nothing on record
    visit = VisitFactory(program=a)
    VisitFactory(program=a)
    metric = YearlyMetricFactory(program=a, indicator=indicator, year=2020, value=12)
    YearlyMetricFactory(program=a, indicator=indicator, year=2020, value=99, kind="target")  # not a count
    line = BudgetLineFactory(program=a, planned_amount=None, executed_amount=300)
    assert figures(a) == (2, Decimal("12"), None, 300)
    visit.program = b
    visit.save()
    assert figures(a)[0] == 1 and figures(b)[0] == 1
    metric.value = 20
    metric.save()
    line.delete()
    assert figures(a) == (1, Decimal("20"), None, None)
    assert_consistent()


def test_planned_and_executed_money_are_kept_apart():
    program = ProgramFactory()
    BudgetLineFactory(program=program, start_year=2020, end_year=2020, planned_amount=1_000, executed_amount=800)
    BudgetLineFactory(program=program, start_year=2021, end_year=2024, planned_amount=5_000, executed_amount=None)
    BudgetLineFactory(program=program, start_year=None, end_year=None, planned_amount=None, executed_amount=70)
    # Never the planned amount, else the executed one: each kind of money summed on its own.
    assert figures(program)[2:] == (6_000, 870)
    assert_consistent()


def test_the_budget_figures_count_and_sum_each_kind_of_money_by_its_period():
    BudgetLine.objects.all().delete()
    program = ProgramFactory()
    one = BudgetLineFactory(program=program, start_year=2020, end_year=2020, planned_amount=1_000, executed_amount=800)
    BudgetLineFactory(program=program, start_year=2019, end_year=None, planned_amount=3_000, executed_amount=None)
    BudgetLineFactory(program=program, start_year=2021, end_year=2024, planned_amount=5_000, executed_amount=None)
    BudgetLineFactory(program=program, start_year=None, end_year=2026, planned_amount=None, executed_amount=70)
    kept = budget_figures()
    assert kept[("planned", "one_year")] == (2, 4_000, 2019, 2020)
    assert kept[("planned", "multi_year")] == (1, 5_000, 2021, 2024)
    assert kept[("planned", "period_not_given")] == (0, None, None, None)
    assert kept[("executed", "one_year")] == (1, 800, 2020, 2020)
    assert kept[("executed", "period_not_given")] == (1, 70, None, 2026)  # a total "by 2026"
    one.executed_amount = None
    one.save()
    assert budget_figures()[("executed", "one_year")] == (0, None, None, None)
    one.delete()
    assert budget_figures()[("planned", "one_year")] == (1, 3_000, 2019, 2019)
    assert_consistent()


def test_the_kept_sums_keep_the_years_on_record_and_how_far_they_count():
    indicator = Indicator.objects.get(code="visiting-organizations")
    before = kept_reporting_totals(indicator).latest_as_of
    assert before[2019] == date(2019, 10, 21)  # the seed's counts of 2019 run to 21 October
    program = ProgramFactory()
    YearlyMetricFactory(program=program, indicator=indicator, year=2031, value=3)
    YearlyMetricFactory(program=program, indicator=indicator, year=2032, value=9, kind="target")  # not on record
    late = YearlyMetricFactory(program=program, indicator=indicator, year=2030, value=3, as_of=date(2030, 3, 31))
    YearlyMetricFactory(program=ProgramFactory(), indicator=indicator, year=2030, value=3, as_of=date(2030, 6, 30))
    kept = kept_reporting_totals(indicator).latest_as_of
    assert kept == {**before, 2030: date(2030, 6, 30), 2031: None}
    late.delete()
    assert kept_reporting_totals(indicator).latest_as_of[2030] == date(2030, 6, 30)
    assert_consistent()


def test_the_counted_sum_keeps_the_years_it_sums_and_its_partial_years():
    indicator = Indicator.objects.get(code="visiting-organizations")
    program = ProgramFactory()
    YearlyMetricFactory(program=program, indicator=indicator, year=2017, value=30)
    partial = YearlyMetricFactory(program=program, indicator=indicator, year=2019, value=12, as_of="2019-06-30")
    YearlyMetricFactory(program=program, indicator=indicator, year=2021, value=99, kind="target")  # not counted
    kept = ProgramFigures.objects.get(program=program)
    assert kept.visitors_counted == 42
    assert (kept.counted_first_year, kept.counted_last_year, kept.counted_years) == (2017, 2019, 2)  # a gap in 2018
    assert (kept.counted_partial_years, kept.counted_as_of.isoformat()) == (1, "2019-06-30")
    partial.as_of = None
    partial.save()
    kept.refresh_from_db()
    assert (kept.counted_partial_years, kept.counted_as_of) == (0, None)
    assert_consistent()


def test_the_migration_fills_the_new_figures_as_the_upkeep_computes_them(palbok):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("portal.migrations.0004_program_figures_planned_executed_counted_years")
    BudgetLineFactory(program=palbok, start_year=2020, end_year=2021, planned_amount=7_000, executed_amount=6_000)
    expected = stored()
    ProgramFigures.objects.update(
        planned_total=None,
        executed_total=None,
        counted_first_year=None,
        counted_last_year=None,
        counted_years=0,
        counted_partial_years=0,
        counted_as_of=None,
    )
    migration.fill_figures(apps, None)
    assert stored() == expected


def test_the_migration_fills_the_sums_over_the_reporting_programs_as_the_upkeep_computes_them(palbok):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("portal.migrations.0007_indicator_figures_reporting")
    YearlyMetricFactory(program=palbok, indicator=Indicator.objects.get(code="daily-visitors"), year=2030, value=5)
    expected = indicator_figures()
    assert expected[Indicator.objects.get(code="visiting-organizations").pk][4]["programs"] >= 3
    IndicatorFigures.objects.update(reporting=None)
    migration.fill_reporting(apps, None)
    assert indicator_figures() == expected


def test_the_migration_fills_the_source_figures_as_the_upkeep_computes_them(palbok):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("portal.migrations.0008_source_figures")
    expected = source_figures()
    assert sum(counts[0] for counts in expected.values()) == Visit.objects.exclude(source=None).count()
    SourceFigures.objects.all().delete()
    migration.fill_figures(apps, None)
    assert source_figures() == expected


def test_the_migration_fills_the_budget_figures_and_the_years_counted_as_the_upkeep_computes_them(palbok):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("portal.migrations.0009_budget_figures")
    budget, indicators = budget_figures(), indicator_figures()
    assert budget[("planned", "multi_year")][0] == 2  # the seed's
    BudgetFigures.objects.all().delete()
    IndicatorFigures.objects.update(reporting=None)
    migration.fill_figures(apps, None)
    assert budget_figures() == budget and indicator_figures() == indicators


def test_the_sources_figures_follow_a_row_moved_to_another_source(palbok):
    from policies.models import Source

    visit = Visit.objects.exclude(source=None).first()
    old, new = visit.source, Source.objects.exclude(pk=visit.source_id).first()
    before = source_figures()
    visit.source = new
    visit.save()
    after = source_figures()
    assert after[old.pk][0] == before[old.pk][0] - 1 and after[new.pk][0] == before.get(new.pk, (0,))[0] + 1
    metric = YearlyMetricFactory(
        program=palbok, indicator=Indicator.objects.get(code="visiting-organizations"), year=2031, value=1, source=new
    )
    assert source_figures()[new.pk][1] == after[new.pk][1] + 1
    metric.delete()
    BudgetLineFactory(program=palbok, source=old)
    assert source_figures()[old.pk][2] == after[old.pk][2] + 1
    assert_consistent()


def test_the_kept_sums_over_the_reporting_programs_follow_saves_and_deletes():
    indicator = Indicator.objects.get(code="visiting-organizations")
    computed = reporting_to_keep(Indicator.objects.filter(pk=indicator.pk))[indicator.pk]
    kept = kept_reporting_totals("visiting-organizations")
    # The same sums read back from JSON (decimals, dates), and the programs to name.
    assert kept.kept() == computed and [p.pk for p in kept.names] == computed["names"] and kept.names[0].name_ko
    program = ProgramFactory(name_ko="합계 시험 사업")
    metrics = [
        YearlyMetricFactory(program=program, indicator=indicator, year=year, value=5_000)
        for year in range(kept.first_shown, kept.last_shown + 1)
    ]
    grown = kept_reporting_totals(indicator)
    assert grown.programs == kept.programs + 1 and grown.names[0] == program
    assert [t.total for t in grown.years] == [t.total + 5_000 for t in kept.years]
    metrics[0].delete()  # no longer reporting every year: out of the sums, still a program with values
    gap = kept_reporting_totals(indicator)
    assert (gap.years, gap.programs, gap.programs_with_values) == (
        kept.years,
        kept.programs,
        kept.programs_with_values + 1,
    )
    for metric in metrics[1:]:
        metric.delete()
    assert kept_reporting_totals(indicator) == kept
    assert_consistent()


def test_renaming_the_counted_indicator_changes_every_count():
    indicator = Indicator.objects.get(code="visiting-organizations")
    program = ProgramFactory()
    YearlyMetricFactory(program=program, indicator=indicator, year=2020, value=7)
    indicator.code = "visiting-organizations-old"
    indicator.save()
    assert figures(program)[1] is None
    assert_consistent()


def test_the_metric_import_updates_the_figures_and_the_public_pages(client, settings, tmp_path):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    program = ProgramFactory(slug="import-figures", name_ko="가져오기 시험")
    client.get("/programs/?q=가져오기")
    generation = page_cache.generation()
    csv = "program,indicator,year,value\nimport-figures,visiting-organizations,2021,45\n"
    path = tmp_path / "figures.csv"
    path.write_text(csv, encoding="utf-8")
    call_command("import_metrics", str(path), stdout=io.StringIO())
    assert figures(program)[1] == Decimal("45")
    assert page_cache.generation() > generation  # the cached list is not served again
    assert "45" in client.get("/programs/?q=가져오기").content.decode()
    assert_consistent()


def test_generated_data_and_its_removal_keep_the_figures(palbok):
    call_command("generate_demo_data", "--scale", "1", "--seed", "3", stdout=io.StringIO())
    assert_consistent()
    assert ProgramFigures.objects.filter(program__slug__startswith="demo-").exists()
    call_command("generate_demo_data", "--clear", stdout=io.StringIO())
    assert not ProgramFigures.objects.filter(program__slug__startswith="demo-").exists()
    assert_consistent()


def test_the_command_recomputes_everything():
    program = ProgramFactory()
    VisitFactory(program=program)
    ProgramFigures.objects.filter(program=program).update(visit_count=99)  # a write outside the portal
    out = io.StringIO()
    call_command("refresh_program_figures", stdout=out)
    assert figures(program)[0] == 1 and "recomputed" in out.getvalue()


def test_visit_saves_deletes_and_moves_keep_the_visit_figures():
    busan = OrganizationFactory(region=Region.BUSAN)
    seoul = OrganizationFactory(region=Region.SEOUL)
    visit = VisitFactory(organization=busan, year=2020, people=5)
    VisitFactory(organization=busan, year=2020, people=None)
    cells = visit_cells()
    assert cells[(2020, Region.BUSAN)] == (2, 5)
    visit.year, visit.visited_on = 2021, None
    visit.save()
    assert visit_cells()[(2020, Region.BUSAN)] == (1, None) and visit_cells()[(2021, Region.BUSAN)] == (1, 5)
    visit.organization = seoul
    visit.save()
    assert (2021, Region.BUSAN) not in visit_cells()  # no zero rows
    busan.region = Region.ULSAN  # the organization moves, and its visits with it
    busan.save()
    assert (2020, Region.BUSAN) not in visit_cells() and visit_cells()[(2020, Region.ULSAN)] == (1, None)
    visit.delete()
    assert (2021, Region.SEOUL) not in visit_cells()
    assert_consistent()


def test_the_unfiltered_visit_list_reads_the_kept_figures_and_shows_what_the_visits_give(client, palbok):
    VisitFactory(program=palbok, year=2021, people=12)
    context = client.get("/visits/").context
    view = context["view"]
    assert view.unfiltered
    assert context["paginator"].count == Visit.objects.count()
    by_cell = Visit.objects.order_by().values_list("year", "organization__region")
    by_cell = by_cell.annotate(n=Count("*"), p=Sum("people"))
    assert sorted(view.cells) == sorted(by_cell)
    people = Visit.objects.aggregate(people=Sum("people"))["people"]
    assert view.totals == {
        "people": people,
        "programs": Visit.objects.values("program").distinct().count(),
        "organizations": Visit.objects.values("organization").distinct().count(),
    }
    context = client.get(f"/visits/?program={palbok.slug}").context
    assert not context["view"].unfiltered
    assert context["paginator"].count == Visit.objects.filter(program=palbok).count()
    assert context["view"].totals["programs"] == 1
