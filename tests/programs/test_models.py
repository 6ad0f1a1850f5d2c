import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from portal.selectors import with_visit_counts
from programs.models import BudgetLine, Program, Unit
from tests.factories import (
    BudgetLineFactory,
    IndicatorFactory,
    ProgramFactory,
    VisitFactory,
    YearlyMetricFactory,
)

pytestmark = pytest.mark.django_db


def test_metric_key_is_unique_per_program_indicator_year_and_kind():
    metric = YearlyMetricFactory(kind="actual")
    YearlyMetricFactory(program=metric.program, indicator=metric.indicator, year=metric.year, kind="target")
    with pytest.raises(IntegrityError), transaction.atomic():
        YearlyMetricFactory(program=metric.program, indicator=metric.indicator, year=metric.year, kind="actual")


def test_metric_as_of_date_must_fall_in_its_year():
    metric = YearlyMetricFactory.build(
        program=ProgramFactory(), indicator=IndicatorFactory(), year=2019, as_of=datetime.date(2020, 1, 5)
    )
    with pytest.raises(ValidationError) as error:
        metric.full_clean()
    assert "as_of" in error.value.message_dict
    metric.as_of = datetime.date(2019, 10, 21)
    metric.full_clean()
    assert metric.is_partial


def test_a_partial_figure_without_a_date_is_partial_and_needs_a_note_saying_how_far_it_counts():
    metric = YearlyMetricFactory.build(program=ProgramFactory(), indicator=IndicatorFactory(), year=2021, partial=True)
    assert metric.is_partial and metric.as_of is None
    with pytest.raises(ValidationError) as error:
        metric.full_clean()
    assert "partial" in error.value.message_dict
    metric.note_ko = "22일 기준 (월은 기사에 없음)"
    metric.full_clean()
    # With an as-of date the figure is partial already, note or not.
    dated = YearlyMetricFactory.build(
        program=ProgramFactory(), indicator=IndicatorFactory(), year=2019, as_of=datetime.date(2019, 6, 30)
    )
    dated.full_clean()
    assert dated.is_partial and not dated.partial
    assert not YearlyMetricFactory.build(year=2019).is_partial


def test_metric_qualifiers_are_kept_in_history():
    metric = YearlyMetricFactory(value=576, approximate=True)
    metric.partial, metric.note_ko = True, "현재까지"
    metric.save()
    assert [(h.approximate, h.partial) for h in metric.history.order_by("history_id")] == [(True, False), (True, True)]


def test_units_read_after_numbers_in_both_languages():
    from django.utils import translation

    from portal.charts import with_unit

    hydrogen = IndicatorFactory(unit=Unit.VEHICLES)
    plain = IndicatorFactory(unit=Unit.COUNT)
    with translation.override("ko"):
        assert with_unit(246, hydrogen.unit_after_number) == "246대"
        assert with_unit(60, plain.unit_after_number) == "60개"
        assert with_unit(35, Unit.after_number(Unit.NEIGHBORHOODS)) == "35개 동"
    with translation.override("en"):
        assert with_unit(246, hydrogen.unit_after_number) == "246 vehicles"
        assert with_unit(60, plain.unit_after_number) == "60"  # never "60 count"
        assert with_unit(89, Unit.after_number(Unit.MERCHANTS)) == "89 merchants"


def test_negative_count_is_refused_but_a_negative_percentage_is_allowed():
    program = ProgramFactory()
    count = YearlyMetricFactory.build(program=program, indicator=IndicatorFactory(unit=Unit.COUNT), value=-1)
    with pytest.raises(ValidationError) as error:
        count.full_clean()
    assert "value" in error.value.message_dict
    change = YearlyMetricFactory.build(program=program, indicator=IndicatorFactory(unit=Unit.PERCENT), value=-5)
    change.full_clean()


def test_metric_year_out_of_range_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        YearlyMetricFactory(year=3000)


def test_budget_line_needs_an_amount_and_no_negative_amounts():
    program = ProgramFactory()
    empty = BudgetLine(program=program, funding_source="city", start_year=2020, end_year=2020)
    with pytest.raises(ValidationError) as error:
        empty.full_clean()
    assert "planned_amount" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        empty.save()
    negative = BudgetLineFactory.build(program=program, planned_amount=-1)
    with pytest.raises(ValidationError):
        negative.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        negative.save()


def test_budget_line_period_must_be_in_order():
    line = BudgetLineFactory.build(program=ProgramFactory(), start_year=2020, end_year=2017)
    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert "end_year" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [(2017, 2020, "2017–2020"), (2015, 2015, "2015"), (None, None, "period not given"), (None, 2024, "until 2024")],
)
def test_budget_period_label(start, end, label, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        assert BudgetLine(start_year=start, end_year=end).period_label == label


def test_budget_and_visit_annotations_do_not_multiply_each_other():
    program = ProgramFactory()
    BudgetLineFactory(program=program, planned_amount=100, executed_amount=None)
    BudgetLineFactory(program=program, planned_amount=None, executed_amount=50, funding_source="national")
    VisitFactory.create_batch(3, program=program)
    annotated = with_visit_counts(Program.objects.with_budget_totals()).get(pk=program.pk)
    assert annotated.visit_count == 3
    # Planned and executed money apart, never added together.
    assert (annotated.planned_total, annotated.executed_total) == (100, 50)


def test_program_with_metrics_cannot_be_deleted():
    metric = YearlyMetricFactory()
    with pytest.raises(ProtectedError):
        metric.program.delete()


def test_program_search_matches_either_language():
    program = ProgramFactory(name_ko="시험 예술공장", name_en="Test art factory")
    assert list(Program.objects.search("예술공장").filter(pk=program.pk)) == [program]
    assert list(Program.objects.search("art FACTORY").filter(pk=program.pk)) == [program]


def test_the_unit_migration_moves_seed_indicators_off_count_and_leaves_staff_units_alone():
    from importlib import import_module

    from django.apps import apps

    from programs.models import Indicator

    migration = import_module("programs.migrations.0009_seed_indicator_units")
    Indicator.objects.filter(code__in=["hydrogen-cars", "donor-merchants"]).update(unit=Unit.COUNT)
    Indicator.objects.filter(code="ondure-communities").update(unit=Unit.PEOPLE)  # as if staff had set it
    migration.set_units(apps, None)
    units = dict(Indicator.objects.values_list("code", "unit"))
    assert (units["hydrogen-cars"], units["donor-merchants"]) == (Unit.VEHICLES, Unit.MERCHANTS)
    assert units["ondure-communities"] == Unit.PEOPLE
    migration.back_to_count(apps, None)
    assert Indicator.objects.get(code="hydrogen-cars").unit == Unit.COUNT
