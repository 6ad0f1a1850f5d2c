"""The home page: headline figures from the database, the visiting-organizations chart, lists."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.bounded import PAGE_FRAME_QUERIES
from tests.factories import BudgetLineFactory, ProgramFactory, VisitFactory, YearlyMetricFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_home_headline_figures_come_from_the_database(client):
    before = client.get("/").context["figures"]
    this_year = timezone.localdate().year
    program = ProgramFactory()
    VisitFactory(program=program, year=this_year)
    VisitFactory(program=program, year=2019)
    BudgetLineFactory(program=program, planned_amount=1_000_000)
    after = client.get("/").context["figures"]
    assert after["programs"] == before["programs"] + 1
    assert after["visits"].total == before["visits"].total + 2
    # A visit of this year is on record: the year is covered and the headline is for it.
    assert (after["visits"].year, after["visits"].visits, after["visits"].in_progress) == (this_year, 1, True)
    assert after["budget"]["planned"].amount == before["budget"]["planned"].amount + 1_000_000
    assert after["budget"]["executed"].amount == before["budget"]["executed"].amount


def freeze_today(monkeypatch, day: datetime.date):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def headline(body: str, element_id: str) -> str:
    """The text of one headline figure, tags dropped."""
    figure = re.search(rf'<div class="figure" id="{element_id}">(.*?)</div>', body, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", figure)).strip()


def test_seed_headline_is_for_2019_when_2026_has_no_visit_on_record(client, monkeypatch):
    freeze_today(monkeypatch, datetime.date(2026, 5, 4))
    response = client.get("/")
    visits = response.context["figures"]["visits"]
    assert (visits.year, visits.visits, visits.in_progress) == (2019, 17, False)
    assert visits.as_of == datetime.date(2019, 10, 21)  # the sources' 2019 counts run to 21 October
    korean = headline(response.content.decode(), "visits-in-year")
    assert korean.startswith("2019년 기록된 벤치마킹 방문 17건")
    assert "2019년은 부분 연도" in korean and "2019. 10. 21." in korean
    assert "2026년 방문은 아직 기록되지 않았습니다" in korean
    english = headline(client.get("/en/").content.decode(), "visits-in-year")
    assert english.startswith("Benchmarking visits on record in 2019 17 visits")
    assert "2019 is a partial year" in english and "21 Oct 2019" in english  # the as-of in words
    assert "No visit of 2026 is on record yet" in english


def test_a_covered_year_with_no_visit_reads_zero(client, monkeypatch):
    # A source's count of visiting organizations of 2026 is on record, no named visit: the
    # records reach 2026, and its 0 named visits are a figure.
    freeze_today(monkeypatch, datetime.date(2026, 5, 4))
    YearlyMetricFactory(program=ProgramFactory(), indicator=visiting_indicator(), year=2026, value=3)
    YearlyMetricFactory(program=ProgramFactory(), indicator=visiting_indicator(), year=2027, value=1, kind="target")
    response = client.get("/")
    visits = response.context["figures"]["visits"]
    assert (visits.year, visits.visits, visits.in_progress) == (2026, 0, True)
    text = headline(response.content.decode(), "visits-in-year")
    assert text.startswith("2026년 기록된 벤치마킹 방문 0건") and "2026. 5. 4." in text


def test_a_target_alone_does_not_cover_a_year(client, monkeypatch):
    freeze_today(monkeypatch, datetime.date(2026, 5, 4))
    YearlyMetricFactory(program=ProgramFactory(), indicator=visiting_indicator(), year=2026, value=50, kind="target")
    assert client.get("/").context["figures"]["visits"].year == 2019


def test_with_no_visit_on_record_the_headline_says_so(client, monkeypatch):
    freeze_today(monkeypatch, datetime.date(2026, 5, 4))
    Visit.objects.all().delete()
    response = client.get("/")
    visits = response.context["figures"]["visits"]
    assert (visits.year, visits.total) == (None, 0)
    assert headline(response.content.decode(), "visits-in-year") == "기록된 벤치마킹 방문 아직 없음"


def test_seed_budget_headlines_show_planned_and_executed_apart_with_their_periods(client):
    response = client.get("/")
    planned, executed = (response.context["figures"]["budget"][kind] for kind in ("planned", "executed"))
    # 1조 1,081억 원 was the two added together: 1,100.9 bn planned and 7.23 bn executed.
    assert planned.amount == 1_100_900_000_000 and executed.amount == 7_230_000_000
    assert (planned.period, executed.period) == ("2015–2025", "")
    assert [(kind, part.lines, part.amount) for kind, part in planned.parts] == [
        ("one_year", 3, 15_700_000_000),
        ("multi_year", 2, 908_200_000_000),
        ("period_not_given", 1, 177_000_000_000),  # the carbon complex's total "by 2024"
    ]
    assert [(kind, part.lines) for kind, part in executed.parts] == [("period_not_given", 3)]
    body = response.content.decode()
    assert "1조 1,081억" not in body
    planned_text = headline(body, "planned-budget")
    assert planned_text.startswith("계획 예산 (2015–2025) 1조 1,009억 원")
    assert "단년 금액 3건(157억 원)" in planned_text and "다년 금액 2건(9,082억 원)" in planned_text
    assert headline(body, "executed-budget").startswith("집행액 (기간 미상) 72억 3,000만 원")
    english = client.get("/en/").content.decode()
    assert headline(english, "planned-budget").startswith("Planned budgets recorded (2015–2025) KRW 1.1 tn")
    assert "2 multi-year amounts (KRW 908.2 bn)" in headline(english, "planned-budget")
    assert headline(english, "executed-budget").startswith("Executed amounts recorded (period not given) KRW 7.23 bn")


def test_planned_plus_executed_are_never_added_on_generated_data(client):
    before = client.get("/").context["figures"]["budget"]
    program = ProgramFactory()
    BudgetLineFactory(program=program, start_year=2030, end_year=2030, planned_amount=300, executed_amount=None)
    BudgetLineFactory(program=program, start_year=2031, end_year=2033, planned_amount=1_000, executed_amount=800)
    BudgetLineFactory(program=program, start_year=None, end_year=None, planned_amount=None, executed_amount=50)
    after = client.get("/").context["figures"]["budget"]
    assert after["planned"].amount - before["planned"].amount == 1_300
    assert after["executed"].amount - before["executed"].amount == 850
    assert after["planned"].last_year == after["executed"].last_year == 2033
    assert after["planned"].multi_year.lines == before["planned"].multi_year.lines + 1
    assert after["executed"].period_not_given.lines == before["executed"].period_not_given.lines + 1
    assert after["executed"].period == "2031–2033"  # the one dated executed amount


def test_home_chart_most_visited_and_latest(client):
    from programs.models import Indicator

    indicator = Indicator.objects.get_or_create(
        code="visiting-organizations", defaults={"name": "방문 기관 수", "unit": "organizations"}
    )[0]
    star = ProgramFactory(name_ko="최다 방문 시험 사업")
    YearlyMetricFactory(program=star, indicator=indicator, year=2018, value=9999)
    visit = VisitFactory(program=star)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["most_visited"][0] == star
    assert "최다 방문 시험 사업" in body
    assert "<polyline" in body or "<circle" in body
    assert response.context["latest_visits"][0] == visit


def visiting_indicator():
    from programs.models import Indicator

    return Indicator.objects.get(code="visiting-organizations")


def test_home_chart_is_the_yearly_total_with_partial_years_marked(client):
    indicator = visiting_indicator()
    before = {row[0]: row for row in client.get("/").context["visitors_chart"].rows}
    assert "2019" in before and "*" in before["2019"][1]  # the seed's 2019 counts include a partial year
    a, b = ProgramFactory(), ProgramFactory()
    YearlyMetricFactory(program=a, indicator=indicator, year=2030, value=7)
    YearlyMetricFactory(program=b, indicator=indicator, year=2030, value=5, kind="target")  # targets are not counted
    YearlyMetricFactory(program=a, indicator=indicator, year=2031, value=40)
    YearlyMetricFactory(program=b, indicator=indicator, year=2031, value=2, as_of=datetime.date(2031, 6, 30))
    for program in (ProgramFactory(), ProgramFactory(), ProgramFactory()):  # three more reporting both years
        YearlyMetricFactory(program=program, indicator=indicator, year=2030, value=100)
        YearlyMetricFactory(program=program, indicator=indicator, year=2031, value=100)
    response = client.get("/")
    rows = {row[0]: row[1:] for row in response.context["visitors_chart"].rows}
    # b reports 2031 only: the sums of 2030 and 2031 are over a and the three others, the same four.
    assert set(rows) == {"2030", "2031"}
    assert rows["2030"][0] == "307개 기관" and rows["2031"][0] == "340개 기관"
    assert rows["2030"][1].startswith("집계한 사업 4개")
    assert "2031.\u00a06.\u00a030." not in response.content.decode()  # b's partial 2031 count is not in the sum


def test_the_years_summed_are_where_the_programs_reporting_every_year_give_the_most_values():
    from collections import Counter

    from portal.selectors import reporting_years

    assert reporting_years(Counter()) is None
    # The seed: the carbon institute 2017–2019, Palbok and Seonosong 2018–2019, housing 2019 only.
    seed = Counter({(2017, 2019, 3): 1, (2018, 2019, 2): 2, (2019, 2019, 1): 1})
    assert reporting_years(seed) == (2018, 2019)  # 3 programs × 2 years, not 1 × 3
    # A 2020 figure for Palbok does not move the years: one program alone reports 2018–2020.
    palbok_2020 = seed - Counter({(2018, 2019, 2): 1}) + Counter({(2018, 2020, 3): 1})
    assert reporting_years(palbok_2020) == (2018, 2019)
    assert reporting_years(Counter({(2010, 2011, 2): 2, (2020, 2021, 2): 2})) == (2020, 2021)  # a tie: the later
    # Five programs with a gap (2 of 6 years) cannot say which years they report together.
    assert reporting_years(Counter({(2010, 2015, 2): 5, (2014, 2015, 2): 1})) == (2014, 2015)
    # No program reports two years running: the latest year alone.
    assert reporting_years(Counter({(2010, 2010, 1): 3, (2012, 2012, 1): 1})) == (2012, 2012)


def test_home_total_is_over_the_programs_reporting_every_year_shown(client):
    """Generated data: programs with different coverage per year. A total over all programs would
    add a different set each year (one program in 2029, five in 2031, one in 2032)."""
    indicator = visiting_indicator()
    steady = [ProgramFactory(name_ko=f"꾸준한 사업 {n}") for n in range(4)]
    for n, program in enumerate(steady):
        YearlyMetricFactory(program=program, indicator=indicator, year=2030, value=100 + n)
        as_of = datetime.date(2031, 6, 30) if n == 0 else None
        YearlyMetricFactory(program=program, indicator=indicator, year=2031, value=200 + n, as_of=as_of)
    newcomer = ProgramFactory(name_ko="새로 집계한 사업")
    YearlyMetricFactory(program=newcomer, indicator=indicator, year=2031, value=5_000)  # reports 2031 only
    early = ProgramFactory(name_ko="예전 사업")
    YearlyMetricFactory(program=early, indicator=indicator, year=2029, value=7)
    response = client.get("/")
    total = response.context["reporting"]
    assert [(t.year, t.total, t.programs) for t in total.years] == [(2030, 406, 4), (2031, 806, 4)]
    assert total.programs == 4 and {p.name_ko for p in total.names} == {p.name_ko for p in steady}
    rows = {row[0]: row for row in response.context["visitors_chart"].rows}
    assert rows["2031"][1] == "806개 기관 *" and "2031.\u00a06.\u00a030." in rows["2031"][2]
    assert "꾸준한 사업 3" in rows["2030"][2] and "새로 집계한 사업" not in rows["2031"][2]
    body = response.content.decode()
    assert "2030–2031년 해마다 집계한 사업 4개의 합" in body
    assert "다른 사업 6개의 수치" in body  # the seed's four programs, the newcomer and the early one
    assert response.context["visitors_chart"].columns[1] == "사업별 집계의 합"
    english = client.get("/en/").content.decode()
    assert "The sum over the 4 programs reporting every year from 2030 to 2031" in english
    assert "counted twice" in english

    # One more year's figure for one program does not make the total fall: that year is not
    # reported by the same programs, and stays out of the sum.
    YearlyMetricFactory(program=steady[1], indicator=indicator, year=2032, value=3)
    again = client.get("/").context["visitors_chart"].rows
    assert again == response.context["visitors_chart"].rows


def test_home_most_visited_are_the_top_five_by_counted_visitors(client):
    from programs.models import Indicator

    indicator = Indicator.objects.get(code="visiting-organizations")
    programs = [ProgramFactory(name_ko=f"순위 시험 {n}") for n in range(8)]
    for n, program in enumerate(programs):
        YearlyMetricFactory(program=program, indicator=indicator, year=2018, value=10_000 + n)
        YearlyMetricFactory(program=program, indicator=indicator, year=2019, value=10_000)
    VisitFactory(program=programs[7])
    response = client.get("/")
    most = response.context["most_visited"]
    assert most == programs[7:2:-1]
    assert [p.visitors_counted for p in most] == [20_007, 20_006, 20_005, 20_004, 20_003]
    assert most[0].visit_count == 1 and most[1].visit_count == 0
    chart = response.context["most_visited_chart"]
    assert chart.columns[1:] == [p.name_ko for p in most]
    body = response.content.decode()
    assert "순위 시험 7" in body and "순위 시험 2" not in body


def test_home_bounded_queries(client, django_assert_max_num_queries):
    for _ in range(20):
        program = ProgramFactory()
        VisitFactory(program=program)
        BudgetLineFactory(program=program)
    # 9 queries, none per program and none over every row: the kept sums of the counts of
    # visiting organizations and their named programs (2, which also give the years the counts
    # reach), the visits' headline (1), the budget's (1), the programs' count, the most-visited (2),
    # the latest visits, the sources of the figures.
    with django_assert_max_num_queries(9 + PAGE_FRAME_QUERIES):
        assert client.get("/").status_code == 200


def test_seed_home_shows_the_palbok_counts(client, palbok):
    response = client.get("/")
    body = response.content.decode()
    assert "팔복예술공장" in body
    # Palbok is among the most-visited programs, and its own yearly counts are in that chart's table.
    assert palbok in response.context["most_visited"]
    chart = response.context["most_visited_chart"]
    column = chart.columns.index("팔복예술공장")
    palbok_by_year = {row[0]: row[column] for row in chart.rows}
    assert palbok_by_year["2018"] == "84개 기관"
    assert palbok_by_year["2019"].startswith("92개 기관 *") and "2019.\u00a010.\u00a021." in palbok_by_year["2019"]
    assert "84개 기관" in body and "92개 기관" in body


def test_seed_most_visited_say_which_years_they_sum_and_that_2019_is_partial(client, palbok):
    def item(body):
        li = re.search(r'<li><a href="/(?:en/)?programs/palbok-art-factory/">.*?</li>', body, re.S).group(0)
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li))

    # 176 is full-year 2018 (84) and partial 2019 (92, to 21 October): the label says both.
    korean = item(client.get("/").content.decode())
    assert "방문 기관 수, 연도 합계 (2018–2019; 2019년은 2019. 10. 21. 기준): 176" in korean
    english = item(client.get("/en/").content.decode())
    assert "summed over the years (2018–2019; 2019 counted up to 21 Oct 2019): 176" in english


def sources_section(body: str) -> str:
    return re.search(r'<section class="sources".*?</section>', body, re.S).group(0)


def test_home_names_the_sources_of_its_figures(client):
    body = client.get("/").content.decode()
    sources = sources_section(body)
    assert "문화재생·복지·탄소산업, 전주를 배워라" in sources  # the visits and their counts
    assert "전주형 뉴딜로 경제 대전환 선도" in sources  # budget lines
    cited = set(re.findall(r'href="#source-(\d+)"', body))
    listed = set(re.findall(r'<li id="source-(\d+)"', sources))
    assert cited == listed and len(listed) == 4  # every source is cited beside a figure, and listed
    for figure in ("visits-in-year", "planned-budget", "executed-budget"):  # each cites its sources
        assert 'href="#source-' in re.search(rf'<div class="figure" id="{figure}">(.*?)</div>', body, re.S).group(1)


def test_home_lists_a_new_source_of_a_figure_it_shows(client):
    from tests.factories import SourceFactory

    source = SourceFactory(title="새 예산 보도자료")
    BudgetLineFactory(program=ProgramFactory(), planned_amount=5, source=source)
    unrelated = SourceFactory(title="아무 수치도 없는 문서")
    body = client.get("/").content.decode()
    assert source.title in sources_section(body)
    assert unrelated.title not in body


def test_404_page_is_in_the_portal_style_and_language(client):
    korean = client.get("/no-such-page/")
    assert korean.status_code == 404
    assert "페이지를 찾을 수 없습니다" in korean.content.decode()
    assert 'class="main-nav"' in korean.content.decode()
    english = client.get("/en/no-such-page/")
    assert english.status_code == 404
    assert "Page not found" in english.content.decode()


def test_500_page_renders_without_request_context_or_database(rf, django_assert_num_queries):
    from django.utils import translation
    from django.views.defaults import server_error

    with django_assert_num_queries(0), translation.override("en"):
        response = server_error(rf.get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Server error" in body and 'lang="en"' in body
    assert "style=" not in body and "<script" not in body


PUBLIC_PAGES = [
    "/",
    "/policies/",
    "/programs/",
    "/programs/palbok-art-factory/",
    "/visits/",
    "/indicators/",
    "/indicators/visiting-organizations/",
    "/en/",
    "/en/programs/palbok-art-factory/",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_pages_have_no_inline_style_or_script_and_a_skip_link(client, palbok, path):
    body = client.get(path).content.decode()
    assert "style=" not in body and "<style" not in body
    assert "<script" not in body
    assert 'href="#content"' in body and 'id="content"' in body
    assert body.count("<h1") == 1
