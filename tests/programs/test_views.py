"""The program and indicator pages."""

import datetime
import re

import pytest
from django.urls import reverse

from programs.models import MetricKind
from tests.factories import (
    BudgetLineFactory,
    IndicatorFactory,
    OrganizationFactory,
    ProgramFactory,
    SourceFactory,
    VisitFactory,
    YearlyMetricFactory,
)

pytestmark = pytest.mark.django_db


def visiting_indicator():
    from programs.models import Indicator

    return Indicator.objects.get_or_create(
        code="visiting-organizations",
        defaults={"name_ko": "방문 기관 수", "name_en": "Visiting organizations", "unit": "organizations"},
    )[0]


def test_program_list_shows_programs_with_their_figures(client):
    program = ProgramFactory(slug="list-me", name_ko="목록 사업")
    YearlyMetricFactory(program=program, indicator=visiting_indicator(), year=2018, value=84)
    VisitFactory(program=program, year=2018)
    BudgetLineFactory(program=program, planned_amount=5_000_000_000)
    response = client.get("/programs/?q=목록")
    assert response.status_code == 200
    body = response.content.decode()
    assert "목록 사업" in body
    row = re.search(r'<a href="/programs/list-me/">목록 사업</a>.*?</tr>', body, re.S).group(0)
    assert ">84<" in row  # the source's count
    assert ">1<" in row  # one named visitor on record, shown apart
    assert "50억 원" in row


def test_program_list_is_paginated_and_pagination_keeps_the_filters(client):
    for n in range(45):
        ProgramFactory(slug=f"page-{n:02d}", name_ko=f"페이지 사업 {n:02d}", category="digital")
    response = client.get("/programs/?category=digital&q=페이지")
    body = response.content.decode()
    assert response.context["paginator"].count == 45
    assert len(response.context["programs"]) == 20
    assert "category=digital" in body and "page=2" in body
    assert re.search(r'href="\?category=digital&amp;q=%ED%8E%98%EC%9D%B4%EC%A7%80&amp;page=2"', body)
    third = client.get("/programs/?category=digital&q=페이지&page=3")
    assert len(third.context["programs"]) == 5
    last = client.get("/programs/?category=digital&q=페이지&page=last")
    assert last.context["page_obj"].number == 3


@pytest.mark.parametrize("page", ["99999999", "abc", "-1", "0", "1e9"])
def test_hostile_page_numbers_are_404_not_500(client, page):
    response = client.get(f"/programs/?page={page}")
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "category=nope",
        "policy=no-such-policy",
        "value=zzz",
        "status=deleted",
        "year_from=abc",
        "year_to=99999",
        "visits=maybe",
        "sort=hack",
        "q=" + "x" * 500,
    ],
)
def test_unknown_filter_values_show_a_form_error(client, query):
    response = client.get(f"/programs/?{query}")
    assert response.status_code == 200
    assert response.context["filter"].form.errors
    assert 'class="form-errors"' in response.content.decode()


def test_detail_shows_counts_and_named_visitors_side_by_side(client):
    source = SourceFactory(
        publisher="업코리아", title="전주를 배워라", year=2019, published_on=datetime.date(2019, 10, 21)
    )
    program = ProgramFactory(slug="detail-me", name_ko="상세 사업")
    indicator = visiting_indicator()
    YearlyMetricFactory(program=program, indicator=indicator, year=2018, value=84, source=source)
    YearlyMetricFactory(
        program=program, indicator=indicator, year=2019, value=92, as_of=datetime.date(2019, 10, 21), source=source
    )
    VisitFactory(
        program=program, organization=OrganizationFactory(name_ko="시험 수원 기관", region="gyeonggi"), year=2019
    )
    VisitFactory(program=program, organization=OrganizationFactory(name_ko="시험 부산 기관", region="busan"), year=2019)
    response = client.get(reverse("programs:detail", args=["detail-me"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>92</strong>" in body and "<strong>84</strong>" in body
    assert "2019.\u00a010.\u00a021." in body
    assert "시험 수원 기관" in body and "시험 부산 기관" in body
    assert "경기" in body and "부산" in body
    assert "92*" in body  # the chart marks the partial year
    assert "전주를 배워라" in body  # the source is listed
    assert 'href="#source-1"' in body
    # never the visit records added to the count
    assert ">94<" not in body and ">86<" not in body


def test_detail_shows_targets_budget_milestones_and_awards(client):
    program = ProgramFactory(slug="budget-me")
    indicator = IndicatorFactory(name_ko="공공구매액", unit="krw")
    YearlyMetricFactory(program=program, indicator=indicator, year=2019, value=43, kind=MetricKind.ACTUAL)
    YearlyMetricFactory(program=program, indicator=indicator, year=2019, value=81, kind=MetricKind.TARGET)
    BudgetLineFactory(program=program, funding_source="national", planned_amount=2_500_000_000, executed_amount=None)
    BudgetLineFactory(program=program, funding_source="city", planned_amount=2_500_000_000, executed_amount=1_000_000)
    program.milestones.create(year=2016, title_ko="문화재생 사업 선정")
    program.awards.create(year=2019, month=9, name_ko="아시아 도시경관상")
    body = client.get("/programs/budget-me/").content.decode()
    assert "chart-target" in body
    assert "국비" in body and "시비" in body
    assert "25억 원" in body and "100만 원" in body
    assert "문화재생 사업 선정" in body and "아시아 도시경관상" in body
    assert "2019-09" in body


def test_detail_unknown_slug_is_404(client):
    assert client.get("/programs/no-such-program/").status_code == 404


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["가 사업", "나 사업", "다 사업"]),
        ("visits", ["나 사업", "다 사업", "가 사업"]),
        ("budget", ["다 사업", "가 사업", "나 사업"]),
        ("start_year", ["가 사업", "다 사업", "나 사업"]),
        ("-start_year", ["나 사업", "다 사업", "가 사업"]),
    ],
)
def test_sorting(client, sort, expected):
    indicator = visiting_indicator()
    a = ProgramFactory(name_ko="가 사업", start_year=2020, category="digital")
    b = ProgramFactory(name_ko="나 사업", start_year=2010, category="digital")
    c = ProgramFactory(name_ko="다 사업", start_year=2015, category="digital")
    YearlyMetricFactory(program=b, indicator=indicator, year=2018, value=50)
    YearlyMetricFactory(program=c, indicator=indicator, year=2018, value=10)
    BudgetLineFactory(program=a, planned_amount=200)
    BudgetLineFactory(program=b, planned_amount=100)
    BudgetLineFactory(program=c, planned_amount=300)
    response = client.get(f"/programs/?q=사업&category=digital&sort={sort}")
    names = [p.name_ko for p in response.context["programs"] if p.name_ko in {"가 사업", "나 사업", "다 사업"}]
    assert names == expected


def test_list_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    indicator = visiting_indicator()
    for n in range(30):
        program = ProgramFactory(category="digital")
        YearlyMetricFactory(program=program, indicator=indicator, year=2018, value=n)
        VisitFactory(program=program)
        BudgetLineFactory(program=program)
    with django_assert_max_num_queries(10):
        response = client.get("/programs/?category=digital&sort=visits")
    assert len(response.context["programs"]) == 20


def test_detail_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    program = ProgramFactory(slug="busy")
    indicators = [IndicatorFactory() for _ in range(4)]
    for year in range(2010, 2020):
        for indicator in indicators:
            YearlyMetricFactory(program=program, indicator=indicator, year=year, source=SourceFactory())
        VisitFactory(program=program, year=year, source=SourceFactory())
        BudgetLineFactory(program=program, start_year=year, end_year=year, source=SourceFactory())
        program.milestones.create(year=year, title_ko=f"경과 {year}", source=SourceFactory())
    with django_assert_max_num_queries(14):
        response = client.get("/programs/busy/")
    assert response.status_code == 200
    assert len(response.context["indicators"]) == 4


def test_a_program_with_thousands_of_visits_shows_a_page_of_them_and_links_the_rest(
    client, django_assert_max_num_queries
):
    from tests.bounded import PAGE_FRAME_QUERIES, get_bounded_page
    from visits.models import Visit

    program = ProgramFactory(slug="crowded", name_ko="붐비는 사업")
    organizations = [OrganizationFactory() for _ in range(50)]
    # 3,000 visits: 300 a year over ten years, six days of fifty organizations each.
    Visit.objects.bulk_create(
        Visit(
            program=program,
            organization=organizations[n % 50],
            year=year,
            visited_on=datetime.date(year, 3, 1) + datetime.timedelta(days=n // 50),
        )
        for year in range(2015, 2025)
        for n in range(300)
    )
    VisitFactory(program=program, year=2014, organization=OrganizationFactory(name_ko="한 해 한 기관"))
    VisitFactory(program=ProgramFactory(slug="quiet"), year=2020)
    response = get_bounded_page(
        client,
        "/programs/crowded/",
        like="/programs/quiet/",
        max_queries=10 + PAGE_FRAME_QUERIES,
        assert_max_num_queries=django_assert_max_num_queries,
    )

    body = response.content.decode()
    visits = response.context["visits"]
    assert len(visits) == 20 and response.context["visits_total"] == 3001
    # The most recent first.
    assert visits[0].visited_on == datetime.date(2024, 3, 6)
    assert all(a.visited_on >= b.visited_on for a, b in zip(visits, visits[1:], strict=False))
    # Each year: its count of named visitors, and for so many a link to the year in the visit list.
    latest = response.context["visit_years"][0]
    assert latest["year"] == 2024 and latest["named_count"] == 300 and latest["named"] == []
    assert '300곳 확인: <a href="/visits/?program=crowded&amp;year=2024">방문 목록에서 보기</a>' in body
    assert "1곳 확인: 한 해 한 기관" in body  # a year of few named visitors names them
    # All of them in the visit list, filtered by this program.
    assert "방문 3,001건 모두 보기" in body
    assert 'href="/visits/?program=crowded"' in body
    assert client.get("/visits/?program=crowded").context["paginator"].count == 3001


def test_indicator_list_and_detail(client):
    indicator = IndicatorFactory(code="ind-page", name_ko="지표 페이지", definition_ko="무엇을 재는지")
    p1 = ProgramFactory(name_ko="첫째 사업")
    p2 = ProgramFactory(name_ko="둘째 사업")
    YearlyMetricFactory(program=p1, indicator=indicator, year=2018, value=5)
    YearlyMetricFactory(program=p1, indicator=indicator, year=2019, value=7, as_of=datetime.date(2019, 6, 30))
    YearlyMetricFactory(program=p2, indicator=indicator, year=2019, value=3)
    listing = client.get("/indicators/")
    assert listing.status_code == 200
    assert "지표 페이지" in listing.content.decode()
    response = client.get("/indicators/ind-page/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "무엇을 재는지" in body
    assert "첫째 사업" in body and "둘째 사업" in body
    assert "2019.\u00a06.\u00a030." in body
    assert "<polyline" in body and 'role="img"' in body
    assert "/indicators/ind-page/download.csv" in body
    assert client.get("/indicators/nope/").status_code == 404


def test_indicator_detail_bounded_queries(client, django_assert_max_num_queries):
    indicator = IndicatorFactory(code="many")
    for _ in range(15):
        program = ProgramFactory()
        for year in (2017, 2018, 2019):
            YearlyMetricFactory(program=program, indicator=indicator, year=year, source=SourceFactory())
    # 8: the indicator, its years, the programs' count and page, their values, and the total's runs,
    # sums and named programs.
    with django_assert_max_num_queries(9):
        assert client.get("/indicators/many/").status_code == 200


def test_seed_palbok_page_shows_the_article_figures(client, palbok):
    body = client.get(palbok.get_absolute_url()).content.decode()
    assert "팔복예술공장" in body
    assert "<strong>84</strong>" in body and "<strong>92</strong>" in body
    assert "2019.\u00a010.\u00a021." in body
    assert "업코리아" in body or "UPKOREA" in body


def test_field_errors_are_tied_to_their_controls(client):
    body = client.get("/programs/?category=nope").content.decode()
    assert 'aria-invalid="true" aria-describedby="id_category_error"' in body
    assert 'id="id_category_error"' in body
    assert 'href="#id_category"' in body  # the error summary links to the control


def budget_rows(body: str) -> dict[str, str]:
    """The budget table's rows, by the text of their header cell, with the tags stripped."""
    table = re.search(r'<table class="data-table budget-table">.*?</table>', body, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr[^>]*>.*?</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.setdefault(cells[0], " | ".join(cells))
    return rows


def test_budget_table_labels_undated_lines_and_shows_subtotals_and_a_grand_total(client, palbok):
    body = client.get(palbok.get_absolute_url()).content.decode()
    rows = budget_rows(body)
    # Lines whose source gives no years say so, instead of reading as totals.
    assert "기간 미상" in rows and "합계" not in rows and "total" not in rows
    assert rows["국비 소계"] == "국비 소계 | – | 25억 원 | 1건"
    assert rows["재원 구분 없음 소계"].startswith("재원 구분 없음 소계 | – | 25억 원")
    assert rows["합계 (모든 재원)"].startswith("합계 (모든 재원) | – | 50억 원")
    assert "재원별 소계 (전 기간)" in rows  # the subtotal section has its own heading row


def test_budget_grand_total_sums_planned_and_executed_apart(client):
    program = ProgramFactory(slug="two-columns")
    BudgetLineFactory(program=program, funding_source="national", planned_amount=3_000_000_000, executed_amount=None)
    BudgetLineFactory(program=program, funding_source="city", planned_amount=1_000_000_000, executed_amount=500_000_000)
    BudgetLineFactory(
        program=program,
        start_year=None,
        end_year=None,
        funding_source="city",
        planned_amount=None,
        executed_amount=200_000_000,
    )
    response = client.get("/en/programs/two-columns/")
    assert response.context["budget_total"] == {"planned": 4_000_000_000, "executed": 700_000_000, "lines": 3}
    assert [s["source"] for s in response.context["budget_subtotals"]] == ["national", "city"]  # FundingSource order
    rows = budget_rows(response.content.decode())
    assert rows["period not given"].startswith("period not given | City funds | – | KRW 200 M")
    assert rows["Subtotal: City funds"] == "Subtotal: City funds | KRW 1 bn | KRW 700 M | 2 lines"
    assert rows["Total, all funding sources"].startswith("Total, all funding sources | KRW 4 bn | KRW 700 M")


def test_budget_of_a_single_line_has_no_subtotals_or_total(client):
    program = ProgramFactory(slug="one-line")
    BudgetLineFactory(program=program, planned_amount=1_000_000_000)
    body = client.get("/programs/one-line/").content.decode()
    assert "budget-subtotals" not in body and "grand-total" not in body
    assert "10억 원" in body


def test_program_page_links_its_budget_and_figures_downloads(client, palbok):
    body = client.get(palbok.get_absolute_url()).content.decode()
    budget = re.search(r'<section id="budget".*?</section>', body, re.S).group(0)
    assert 'href="/programs/palbok-art-factory/budget.csv"' in budget
    assert 'href="/programs/palbok-art-factory/budget.json"' in budget
    figures = re.search(r'<section id="indicators".*?<section id="budget"', body, re.S).group(0)
    assert 'href="/programs/palbok-art-factory/figures.csv"' in figures
    # Each download box is a landmark with its own name.
    assert 'aria-labelledby="downloads-budget"' in body and 'aria-labelledby="downloads-figures"' in body


def test_program_list_shows_a_dash_where_no_source_counts_visitors(client):
    ProgramFactory(slug="uncounted", name_ko="무집계시험 사업")
    counted = ProgramFactory(slug="counted-zero", name_ko="영집계시험 사업")
    YearlyMetricFactory(program=counted, indicator=visiting_indicator(), year=2020, value=0)
    body = client.get("/programs/?q=집계시험").content.decode()
    uncounted = re.search(r'<a href="/programs/uncounted/">.*?</tr>', body, re.S).group(0)
    zero = re.search(r'<a href="/programs/counted-zero/">.*?</tr>', body, re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="numeric">(.*?)</td>', uncounted, re.S)]
    assert cells[0] == "–"  # no count at all
    # A count of zero is a count (with the year it counts under it).
    assert re.findall(r'<td class="numeric">(.*?)<span class="meta">2020</span></td>', zero, re.S)[0] == "0"


def test_visit_table_does_not_repeat_a_region_as_its_municipality(client):
    program = ProgramFactory(slug="places")
    VisitFactory(
        program=program,
        organization=OrganizationFactory(region="sejong", municipality_ko="세종시", municipality_en="Sejong"),
    )
    VisitFactory(
        program=program,
        organization=OrganizationFactory(region="gyeonggi", municipality_ko="수원시", municipality_en="Suwon"),
    )
    english = client.get("/en/programs/places/").content.decode()
    assert "Sejong · Sejong" not in english and "<td>Sejong</td>" in english
    assert "<td>Gyeonggi · Suwon</td>" in english
    korean = client.get("/programs/places/").content.decode()
    assert "세종 · 세종시" not in korean and "<td>세종</td>" in korean
    assert "<td>경기 · 수원시</td>" in korean


def test_indicator_chart_values_have_no_space_before_a_korean_counter(client):
    program = ProgramFactory(slug="counter")
    YearlyMetricFactory(program=program, indicator=visiting_indicator(), year=2018, value=37)
    ko = client.get("/programs/counter/").content.decode()
    assert "37개 기관" in ko and "37 개 기관" not in ko
    en = client.get("/en/programs/counter/").content.decode()
    assert "37 organizations" in en


def test_program_and_indicator_pages_show_target_attainment_in_both_languages(client):
    page = client.get("/programs/social-economy-public-purchasing/").content.decode()
    assert "2019년 목표: 목표 81억 원 대비 43억 원 (53 %), 2019년 상반기 기준" in page
    assert "진행 중 (연중 집계)" in page
    english = client.get("/en/programs/social-economy-public-purchasing/").content.decode()
    assert "2019 target: KRW 4.3 bn against a target of KRW 8.1 bn (53 %), first half of 2019" in english
    assert "not met" not in english  # a partial year is never called missed
    response = client.get("/en/indicators/public-purchasing/")
    assert response.status_code == 200, "the seed's public-purchasing indicator code"
    assert "KRW 4.3 bn against a target of KRW 8.1 bn (53 %), first half of 2019" in response.content.decode()


def test_program_list_shows_planned_and_executed_apart_and_sorts_by_each(client):
    planner = ProgramFactory(slug="t-planned", name_ko="가 예산시험")
    spender = ProgramFactory(slug="t-spent", name_ko="나 예산시험")
    BudgetLineFactory(program=planner, planned_amount=500, executed_amount=None)
    BudgetLineFactory(program=spender, planned_amount=100, executed_amount=90)
    BudgetLineFactory(program=spender, start_year=None, end_year=None, planned_amount=None, executed_amount=2_000)
    body = client.get("/programs/?q=예산시험").content.decode()
    assert "계획 예산 (전 기간)" in body and "집행액 (전 기간)" in body
    row = re.search(r'<a href="/programs/t-spent/">.*?</tr>', body, re.S).group(0)
    cells = re.findall(r'<td class="numeric">(.*?)</td>', row, re.S)
    assert cells[-2:] == ["100 원", "2,090 원"]  # planned, executed: never 2,190
    planned = client.get("/programs/?q=예산시험&sort=budget").context["programs"]
    executed = client.get("/programs/?q=예산시험&sort=executed").context["programs"]
    assert [p.slug for p in planned] == ["t-planned", "t-spent"]
    assert [p.slug for p in executed] == ["t-spent", "t-planned"]
    rows = {r["slug"]: r for r in csv_rows(client, "/programs/download.csv?q=예산시험")}
    assert (rows["t-spent"]["planned_budget_krw"], rows["t-spent"]["executed_budget_krw"]) == ("100", "2090")
    assert (rows["t-planned"]["planned_budget_krw"], rows["t-planned"]["executed_budget_krw"]) == ("500", "")
    assert "budget_total_krw" not in rows["t-spent"]


def csv_rows(client, url):
    from tests.csv_records import csv_records

    return csv_records(client.get(url))


def test_program_list_and_download_say_which_years_a_count_sums(client, palbok):
    body = client.get("/en/programs/?q=Palbok").content.decode()
    row = re.search(r'<a href="/en/programs/palbok-art-factory/">.*?</tr>', body, re.S).group(0)
    assert '176<span class="meta">2018–2019; 2019 counted up to 21\u00a0Oct\u00a02019</span>' in row
    assert "Visiting organizations counted (sum of the years)" in body
    palbok_row = {r["slug"]: r for r in csv_rows(client, "/programs/download.csv?q=팔복")}["palbok-art-factory"]
    assert palbok_row["visiting_organizations_counted"] == "176"
    assert (palbok_row["visiting_organizations_first_year"], palbok_row["visiting_organizations_last_year"]) == (
        "2018",
        "2019",
    )
    assert palbok_row["visiting_organizations_partial_years"] == "1"
    assert palbok_row["visiting_organizations_partial_as_of"] == "2019-10-21"
    assert palbok_row["executed_budget_krw"] == "5000000000" and palbok_row["planned_budget_krw"] == ""


def test_a_count_with_a_gap_says_how_many_years_it_sums(client):
    program = ProgramFactory(slug="t-gap", name_ko="띄엄 집계 사업")
    for year in (2015, 2017, 2019):
        YearlyMetricFactory(program=program, indicator=visiting_indicator(), year=year, value=1)
    body = client.get("/programs/?q=띄엄").content.decode()
    assert '3<span class="meta">2015–2019년 중 3개 연도</span>' in body


def test_the_policy_page_shows_planned_and_executed_apart(client, palbok):
    policy = palbok.policies.order_by("pk").first()
    body = client.get(policy.get_absolute_url()).content.decode()
    row = re.search(r'<a href="/programs/palbok-art-factory/">.*?</tr>', body, re.S).group(0)
    cells = re.findall(r'<td class="numeric">(.*?)</td>', row, re.S)
    assert cells[-2:] == ["–", "50억 원"]  # no plan on record; 5.0 bn executed
    assert "2019년은 2019.\u00a010.\u00a021. 기준" in cells[0]


def test_indicator_total_is_over_the_programs_reporting_every_year_shown(client):
    indicator = IndicatorFactory(code="t-coverage", unit="people", name_ko="시험 인원")
    steady = [ProgramFactory(name_ko=f"꾸준 {n}") for n in range(3)]
    for program in steady:
        for year in (2016, 2017, 2018):
            YearlyMetricFactory(program=program, indicator=indicator, year=year, value=10)
    late = ProgramFactory(name_ko="늦게 합류")
    YearlyMetricFactory(program=late, indicator=indicator, year=2018, value=1_000)
    YearlyMetricFactory(program=late, indicator=indicator, year=2019, value=1_000)
    response = client.get("/indicators/t-coverage/")
    chart = response.context["total_chart"]
    # Not 30, 30, 1,030, 1,000: a program joining in 2018 is not growth of the total.
    assert [row[:2] for row in chart.rows] == [["2016", "30명"], ["2017", "30명"], ["2018", "30명"]]
    assert chart.columns[1] == "사업별 수치의 합"
    body = response.content.decode()
    assert "2016–2018년 해마다 집계한 사업 3개의 합" in body and "다른 사업 1개의 수치" in body
    assert response.context["years"] == [2016, 2017, 2018, 2019]  # the table has every year


def test_a_program_with_a_gap_is_in_the_sums_of_the_years_it_reports(client):
    indicator = IndicatorFactory(code="t-gap-sum", unit="cases")
    for _ in range(2):
        program = ProgramFactory()
        for year in (2030, 2031):
            YearlyMetricFactory(program=program, indicator=indicator, year=year, value=10)
    gappy = ProgramFactory()
    for year in (2027, 2030, 2031):
        YearlyMetricFactory(program=gappy, indicator=indicator, year=year, value=1)
    reporting = client.get("/indicators/t-gap-sum/").context["reporting"]
    assert (reporting.first_shown, reporting.last_shown, reporting.programs) == (2030, 2031, 3)
    assert [t.total for t in reporting.years] == [21, 21]
    assert (reporting.programs_left_out, reporting.years_left_out) == (0, True)  # 2027 is left out
