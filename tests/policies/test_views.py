"""The policy pages."""

import pytest

from policies.models import CoreValue, ElectedTerm
from tests.factories import PolicyFactory, ProgramFactory, VisitFactory

pytestmark = pytest.mark.django_db


def titles(response):
    return {p.title_ko for p in response.context["policies"]}


def test_policy_list_and_filters(client):
    jobs = CoreValue.objects.get_or_create(code="t-jobs", defaults={"name": "일자리"})[0]
    term = ElectedTerm.objects.get_or_create(
        number=99, defaults={"name": "민선99기", "start_year": 2090, "end_year": 2094}
    )[0]
    a = PolicyFactory(title_ko="필터 정책 가", sector="digital", status="active")
    a.core_values.add(jobs)
    a.terms.add(term)
    PolicyFactory(title_ko="필터 정책 나", sector="welfare", status="completed", end_year=2019)
    response = client.get("/policies/?q=필터 정책")
    assert response.status_code == 200
    assert titles(response) == {"필터 정책 가", "필터 정책 나"}
    assert titles(client.get("/policies/?q=필터 정책&sector=digital")) == {"필터 정책 가"}
    assert titles(client.get("/policies/?q=필터 정책&value=t-jobs")) == {"필터 정책 가"}
    assert titles(client.get("/policies/?q=필터 정책&term=99")) == {"필터 정책 가"}
    assert titles(client.get("/policies/?q=필터 정책&status=completed")) == {"필터 정책 나"}


def test_policy_search_matches_english(client):
    PolicyFactory(title_ko="한글 제목", title_en="Zyxwv economy", summary_en="zyxwv buses")
    assert titles(client.get("/policies/?q=ZYXWV")) == {"한글 제목"}


@pytest.mark.parametrize("query", ["sector=nope", "value=nope", "term=abc", "status=x"])
def test_invalid_filters_are_form_errors(client, query):
    response = client.get(f"/policies/?{query}")
    assert response.status_code == 200
    assert response.context["filter"].form.errors


def test_policy_detail_lists_programs_with_key_figures(client):
    policy = PolicyFactory(slug="t-detail", title_ko="상세 정책", summary_ko="정책 요약입니다")
    program = ProgramFactory(name_ko="정책의 사업", policies=[policy])
    VisitFactory(program=program)
    response = client.get("/policies/t-detail/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "상세 정책" in body and "정책 요약입니다" in body
    assert "정책의 사업" in body
    assert "/programs/?policy=t-detail" in body
    assert client.get("/policies/nope/").status_code == 404


def test_policy_pages_bounded_queries(client, django_assert_max_num_queries):
    value = CoreValue.objects.get_or_create(code="t-many", defaults={"name": "많음"})[0]
    policy = None
    for n in range(30):
        policy = PolicyFactory(title_ko=f"많은 정책 {n}")
        policy.core_values.add(value)
        ProgramFactory(policies=[policy])
    for _ in range(20):
        ProgramFactory(policies=[policy])
    with django_assert_max_num_queries(10):
        assert client.get("/policies/?value=t-many").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(policy.get_absolute_url()).status_code == 200


def test_a_policy_with_hundreds_of_programs_shows_the_first_and_links_the_rest(client, django_assert_max_num_queries):
    from programs.models import Program
    from tests.bounded import get_bounded_page

    policy = PolicyFactory(slug="t-crowded")
    Program.objects.bulk_create(
        Program(slug=f"t-many-{n:03d}", name=f"많은 사업 {n:03d}", name_ko=f"많은 사업 {n:03d}", category="digital")
        for n in range(300)
    )
    links = Program.objects.filter(slug__startswith="t-many-")
    Program.policies.through.objects.bulk_create(
        Program.policies.through(program=program, policy=policy) for program in links
    )
    ProgramFactory(policies=[PolicyFactory(slug="t-small")])
    response = get_bounded_page(
        client,
        "/policies/t-crowded/",
        like="/policies/t-small/",
        max_queries=8,
        assert_max_num_queries=django_assert_max_num_queries,
    )

    body = response.content.decode()
    # The first page of the program list filtered by this policy, and a link to it for the rest.
    shown = [program.slug for program in response.context["programs"]]
    assert shown == [f"t-many-{n:03d}" for n in range(20)]
    assert response.context["programs_total"] == 300
    assert "사업 300건 가운데 이름순으로 앞의 20건입니다." in body and "사업 300건 모두 보기" in body
    assert 'href="/programs/?policy=t-crowded"' in body
    listed = client.get("/programs/?policy=t-crowded")
    assert listed.context["paginator"].count == 300
    assert [program.slug for program in listed.context["programs"]] == shown


def test_hostile_page_is_404(client):
    assert client.get("/policies/?page=99999999").status_code == 404
    assert client.get("/policies/?page=abc").status_code == 404


def test_the_policy_page_rolls_up_its_programs_targets_in_both_languages(client):
    from programs.models import Indicator
    from tests.factories import IndicatorFactory, YearlyMetricFactory

    ko = client.get("/policies/social-economy/").content.decode()
    # The seed's public-purchasing target: 4.3 of 8.1 bn in the first half, in progress, not missed.
    assert "목표 81억 원 대비 43억 원 (53 %), 2019년 상반기 기준" in ko
    assert "진행 중 (연중 집계)" in ko and "미달성" not in ko
    en = client.get("/en/policies/social-economy/").content.decode()
    assert "KRW 4.3 bn against a target of KRW 8.1 bn (53 %), first half of 2019" in en
    assert "in progress (partial year) 1" in en

    policy = PolicyFactory(slug="targets-roll-up")
    indicator = IndicatorFactory(code="t-emissions", unit="percent", higher_is_better=False)
    met, missed, due = ProgramFactory(), ProgramFactory(), ProgramFactory()
    for program in (met, missed, due):
        program.policies.add(policy)
    YearlyMetricFactory(program=met, indicator=indicator, year=2020, kind="target", value=10)
    YearlyMetricFactory(program=met, indicator=indicator, year=2020, value=8)
    YearlyMetricFactory(program=missed, indicator=indicator, year=2020, kind="target", value=10)
    YearlyMetricFactory(program=missed, indicator=indicator, year=2020, value=12)
    YearlyMetricFactory(program=due, indicator=Indicator.objects.first(), year=2100, kind="target", value=5)
    response = client.get("/en/policies/targets-roll-up/")
    counts = dict(response.context["target_counts"])
    assert counts == {"met": 1, "not met": 1, "not yet due": 1}
    assert "3 targets on record" in response.content.decode()
