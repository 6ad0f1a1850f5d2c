"""The programs admin: lists, search in both languages, inlines, side-by-side language fields."""

import pytest

from programs.models import Award, BudgetLine, Indicator, Milestone, Program, YearlyMetric
from tests.factories import BudgetLineFactory, IndicatorFactory, ProgramFactory, YearlyMetricFactory
from tests.staff import admin_url, staff_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Program, Milestone, Award, Indicator, YearlyMetric, BudgetLine])
def test_every_programs_model_lists_adds_and_searches(model):
    client, _ = staff_client(None)
    assert client.get(admin_url(model, "changelist")).status_code == 200
    assert client.get(admin_url(model, "changelist"), {"q": "시험"}).status_code == 200
    assert client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("term", ["시험 미술관 A", "Test Gallery A", "gallery-a"])
def test_programs_are_found_by_korean_english_name_or_slug(term):
    ProgramFactory(slug="gallery-a", name_ko="시험 미술관 A", name_en="Test Gallery A")
    ProgramFactory(slug="other-b", name_ko="다른 사업", name_en="Other")
    client, _ = staff_client(None)
    response = client.get(admin_url(Program, "changelist"), {"q": term})
    assert [p.slug for p in response.context["cl"].result_list] == ["gallery-a"]


def test_program_page_edits_milestones_awards_budget_lines_and_metrics_with_languages_side_by_side():
    program = ProgramFactory()
    YearlyMetricFactory(program=program)
    BudgetLineFactory(program=program)
    client, _ = staff_client(None)
    response = client.get(admin_url(Program, "change", program.pk))
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert prefixes == {"milestones", "awards", "budget_lines", "metrics"}
    lines = [[field.field.name for field in line] for line in next(iter(response.context["adminform"]))]
    assert ["name_ko", "name_en"] in lines  # one row, Korean first


def test_metric_list_shows_related_names_without_a_query_per_row(django_assert_max_num_queries):
    for _ in range(5):
        YearlyMetricFactory()
    client, _ = staff_client(None)
    client.get(admin_url(YearlyMetric, "changelist"))  # warm caches (sessions, content types)
    with django_assert_max_num_queries(12):
        response = client.get(admin_url(YearlyMetric, "changelist"))
    assert response.status_code == 200


def test_an_undated_budget_line_reads_the_same_in_the_admin_and_on_the_site():
    program = ProgramFactory(slug="t-undated-budget")
    BudgetLineFactory(program=program, start_year=None, end_year=None, planned_amount=200_000_000)
    client, _ = staff_client("예산·통계 담당")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    listed = client.get(admin_url(BudgetLine, "changelist"), {"program__id__exact": program.pk}).content.decode()
    public = client.get(program.get_absolute_url()).content.decode()
    for page in (listed, public):
        assert "기간 미상" in page
    assert "합계" not in listed


def test_budget_amounts_show_their_reading_in_eok_and_man_in_the_list_and_beside_the_inputs():
    program = ProgramFactory(slug="t-amount-reading")
    line = BudgetLineFactory(program=program, start_year=2020, end_year=2020, planned_amount=900_800_000_000)
    line.executed_amount = 223_000_000
    line.save()
    client, _ = staff_client("예산·통계 담당")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    listed = client.get(admin_url(BudgetLine, "changelist"), {"program__id__exact": program.pk}).content.decode()
    assert "9,008억 원" in listed and "2억 2,300만 원" in listed
    form = client.get(admin_url(line, "change", line.pk)).content.decode()
    assert 'value="900800000000"' in form
    assert '<output class="amount-reading" aria-live="polite">9,008억 원</output>' in form
    assert "js/admin-amount.js" in form
    client, _ = staff_client(None)
    program_page = client.get(admin_url(program, "change", program.pk)).content.decode()
    assert "9,008억 원</output>" in program_page  # the program page's budget lines too


def test_who_may_only_read_a_budget_line_sees_its_amounts_with_their_reading():
    program = ProgramFactory(slug="t-amount-read-only")
    line = BudgetLineFactory(program=program, start_year=2020, end_year=2020, planned_amount=900_800_000_000)
    client, _ = staff_client("콘텐츠 담당")  # may view budget lines, not change them
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    for page in (admin_url(line, "change", line.pk), admin_url(program, "change", program.pk)):
        response = client.get(page)
        assert response.status_code == 200
        assert "9,008억 원" in response.content.decode() and "900800000000" not in response.content.decode()
    record = line.history.earliest()
    assert client.get(admin_url(line, "simple_history", line.pk, record.history_id)).status_code == 200


def test_a_yearly_amount_in_won_shows_its_reading_in_the_metrics_list():
    program = ProgramFactory(slug="t-metric-krw")
    indicator = IndicatorFactory(code="t-krw-sales", unit="krw")
    YearlyMetricFactory(program=program, indicator=indicator, year=2020, value=1_234_000_000)
    client, _ = staff_client("예산·통계 담당")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    listed = client.get(admin_url(YearlyMetric, "changelist"), {"program__id__exact": program.pk}).content.decode()
    assert "12억 3,400만 원" in listed
