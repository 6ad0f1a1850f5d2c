"""The seed fixture holds the figures of ../shared/domain.md, with their sources."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command

from programs.models import BudgetLine, Program, YearlyMetric
from visits.models import Visit

pytestmark = pytest.mark.django_db


def counts(program_slug, indicator="visiting-organizations"):
    rows = YearlyMetric.objects.filter(program__slug=program_slug, indicator__code=indicator, kind="actual")
    return {m.year: (m.value, m.as_of) for m in rows}


def test_palbok_visiting_organizations_84_in_2018_and_92_so_far_in_2019():
    assert counts("palbok-art-factory") == {
        2018: (Decimal("84"), None),
        2019: (Decimal("92"), datetime.date(2019, 10, 21)),
    }


def test_carbon_institute_visiting_organizations_2017_to_2019():
    assert counts("carbon-convergence-institute") == {
        2017: (Decimal("37"), None),
        2018: (Decimal("32"), None),
        2019: (Decimal("40"), datetime.date(2019, 10, 21)),
    }


def test_seonosong_visiting_organizations():
    assert counts("seonosong-art-village") == {
        2018: (Decimal("51"), None),
        2019: (Decimal("42"), datetime.date(2019, 10, 21)),
    }


def test_palbok_named_visitors_are_visit_records_without_dates():
    visits = Visit.objects.filter(program__slug="palbok-art-factory")
    names = set(visits.values_list("organization__name_ko", flat=True))
    assert names == {
        "강원도사회적경제지원센터",
        "세종시 문화공간재생사업단",
        "수원시",
        "창원시 문화특별도시조성사업단",
        "성남문화재단",
        "부산광역시",
        "대전문화재단",
        "경남교육청",
        "지방자치인재개발원",
    }
    assert all(v.year == 2019 and v.visited_on is None for v in visits)
    # The count (92) is a metric; the named visitors are never padded to match it.
    assert visits.count() < 92


def test_palbok_budget_is_5_billion_of_which_2_5_billion_national():
    lines = BudgetLine.objects.filter(program__slug="palbok-art-factory")
    assert sum(line.executed_amount for line in lines) == 5_000_000_000
    assert lines.get(funding_source="national").executed_amount == 2_500_000_000


def test_seonmi_chon_regeneration_budget_2017_to_2020():
    line = BudgetLine.objects.get(program__slug="seonosong-art-village")
    assert (line.start_year, line.end_year, line.planned_amount) == (2017, 2020, 7_400_000_000)


def test_palbok_awards():
    palbok = Program.objects.get(slug="palbok-art-factory")
    awards = {(a.year, a.month) for a in palbok.awards.all()}
    assert {(2019, 3), (2019, 9)} <= awards


def test_every_metric_budget_line_and_visit_has_a_source():
    assert not YearlyMetric.objects.filter(source__isnull=True).exists()
    assert not BudgetLine.objects.filter(source__isnull=True).exists()
    assert not Visit.objects.filter(source__isnull=True).exists()


def test_every_seed_object_passes_full_clean():
    for app_label in ("policies", "programs", "visits"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for obj in model.objects.all():
                obj.full_clean()


def test_every_program_and_policy_has_both_languages():
    for program in Program.objects.all():
        assert program.name_ko and program.name_en and program.description_ko and program.description_en


def test_loading_the_seed_again_duplicates_nothing():
    before = {m: m.objects.count() for m in (Program, YearlyMetric, BudgetLine, Visit)}
    call_command("load_seed", verbosity=0)
    assert {m: m.objects.count() for m in before} == before
