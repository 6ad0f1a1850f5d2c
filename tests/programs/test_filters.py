"""The program FilterSet: each filter narrows the list as its label says."""

import pytest

from policies.models import CoreValue
from portal.filters import ProgramFilter
from portal.selectors import programs_with_figures
from tests.factories import PolicyFactory, ProgramFactory, VisitFactory, YearlyMetricFactory

pytestmark = pytest.mark.django_db


def slugs(data):
    filterset = ProgramFilter(data, queryset=programs_with_figures())
    assert filterset.is_valid(), filterset.errors
    return {p.slug for p in filterset.qs if p.slug.startswith("f-")}


def test_search_matches_korean_and_english():
    ProgramFactory(slug="f-ko", name_ko="탄소 연구원", name_en="Carbon institute")
    ProgramFactory(slug="f-other", name_ko="다른 사업", name_en="Other program", description_en="nothing")
    assert slugs({"q": "탄소"}) == {"f-ko"}
    assert slugs({"q": "carbon"}) == {"f-ko"}


def test_category_status_and_policy():
    policy = PolicyFactory(slug="f-policy")
    ProgramFactory(slug="f-a", category="facility", status="active", policies=[policy])
    ProgramFactory(slug="f-b", category="welfare_service", status="completed", end_year=2019)
    assert slugs({"category": "facility"}) == {"f-a"}
    assert slugs({"status": "completed"}) == {"f-b"}
    assert slugs({"policy": "f-policy"}) == {"f-a"}


def test_core_value_goes_through_the_policies_without_duplicates():
    people = CoreValue.objects.get_or_create(code="f-people", defaults={"name": "사람"})[0]
    ecology = CoreValue.objects.get_or_create(code="f-ecology", defaults={"name": "생태"})[0]
    p1, p2 = PolicyFactory(), PolicyFactory()
    p1.core_values.add(people, ecology)
    p2.core_values.add(people)
    ProgramFactory(slug="f-valued", policies=[p1, p2])
    ProgramFactory(slug="f-plain")
    filterset = ProgramFilter({"value": "f-people"}, queryset=programs_with_figures())
    assert [p.slug for p in filterset.qs if p.slug.startswith("f-")] == ["f-valued"]


def test_year_range_keeps_programs_active_in_the_range():
    ProgramFactory(slug="f-old", start_year=2005, end_year=2010)
    ProgramFactory(slug="f-mid", start_year=2015, end_year=2018)
    ProgramFactory(slug="f-open", start_year=2019, end_year=None)
    assert slugs({"year_from": 2016}) == {"f-mid", "f-open"}
    assert slugs({"year_to": 2016}) == {"f-old", "f-mid"}
    assert slugs({"year_from": 2011, "year_to": 2016}) == {"f-mid"}


def test_has_benchmarking_visits_counts_named_visits_or_yearly_counts():
    from programs.models import Indicator

    indicator = Indicator.objects.get_or_create(
        code="visiting-organizations", defaults={"name": "방문 기관 수", "unit": "organizations"}
    )[0]
    named = ProgramFactory(slug="f-named")
    VisitFactory(program=named)
    VisitFactory(program=named)
    counted = ProgramFactory(slug="f-counted")
    YearlyMetricFactory(program=counted, indicator=indicator, value=7)
    ProgramFactory(slug="f-none")
    assert slugs({"visits": "yes"}) == {"f-named", "f-counted"}
    assert slugs({"visits": "no"}) == {"f-none"}


def test_invalid_values_are_form_errors():
    filterset = ProgramFilter({"category": "x", "year_from": "1700"}, queryset=programs_with_figures())
    assert not filterset.is_valid()
    assert set(filterset.errors) == {"category", "year_from"}
