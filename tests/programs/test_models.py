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
    [(2017, 2020, "2017–2020"), (2015, 2015, "2015"), (None, None, "total"), (None, 2024, "until 2024")],
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
