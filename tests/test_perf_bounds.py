"""Public pages stay the same size, in the same number of queries, however many programs there are.

The load benchmark (bench/load_bench.py) measures speed at --scale 100; these tests keep the
property it depends on: no page renders a row, an option or a chart line per program.
"""

import json

import pytest

from policies.models import Policy
from portal import downloads
from portal.columns import VISITS
from programs.models import Indicator, Program
from tests.bounded import PAGE_FRAME_QUERIES
from tests.csv_records import csv_records, records
from tests.factories import OrganizationFactory, ProgramFactory, VisitFactory, YearlyMetricFactory

pytestmark = pytest.mark.django_db


def add_programs(n, start=0):
    indicator = Indicator.objects.get(code="visiting-organizations")
    programs = []
    for i in range(start, start + n):
        program = ProgramFactory(
            slug=f"bound-{i:03d}", name_ko=f"규모 시험 사업 {i:03d}", name_en=f"Scale test {i:03d}"
        )
        YearlyMetricFactory(program=program, indicator=indicator, year=2018, value=100 + i)
        YearlyMetricFactory(program=program, indicator=indicator, year=2019, value=200 + i)
        programs.append(program)
    return programs


def test_home_is_bounded_with_many_programs(client, django_assert_max_num_queries):
    add_programs(10)
    small = len(client.get("/").content)
    add_programs(60, start=10)
    # 9 (see tests/test_home.py), whatever the number of programs
    with django_assert_max_num_queries(9 + PAGE_FRAME_QUERIES):
        response = client.get("/")
    body = response.content.decode()
    assert len(response.content) < small * 1.05  # 60 more programs, (almost) no more HTML
    most = response.context["most_visited"]
    assert [p.slug for p in most] == ["bound-069", "bound-068", "bound-067", "bound-066", "bound-065"]
    assert len(response.context["most_visited_chart"].columns) == 1 + 5
    assert "규모 시험 사업 069" in body and "규모 시험 사업 010" not in body
    # The total chart sums the programs reporting every year shown, 2018 and 2019: the 70 added
    # ones and the seed's three with both years (not housing welfare, counted in 2019 only).
    rows = {row[0]: row[1] for row in response.context["visitors_chart"].rows}
    total_2018 = sum(100 + i for i in range(70))
    assert rows["2018"].replace(",", "").startswith(str(int(total_2018 + seed_total(2018))))
    total_2019 = sum(200 + i for i in range(70))
    assert rows["2019"].replace(",", "").startswith(str(int(total_2019 + seed_total(2019) - 7)))
    assert response.context["reporting"].programs == 73 and len(response.context["reporting"].names) == 5


def seed_total(year):
    from django.db.models import Sum

    from programs.models import YearlyMetric

    return (
        YearlyMetric.objects.filter(indicator__code="visiting-organizations", kind="actual", year=year)
        .exclude(program__slug__startswith="bound-")
        .aggregate(total=Sum("value"))["total"]
        or 0
    )


def test_indicator_page_is_paginated_and_bounded(client, django_assert_max_num_queries):
    add_programs(60)
    small = len(client.get("/indicators/visiting-organizations/?page=2").content)  # a full page of 25
    add_programs(60, start=60)
    with django_assert_max_num_queries(8 + PAGE_FRAME_QUERIES):
        response = client.get("/indicators/visiting-organizations/?page=2")
    assert len(response.content) < small * 1.05
    context = response.context
    program_count = Program.objects.filter(metrics__indicator__code="visiting-organizations").distinct().count()
    assert context["program_count"] == program_count and program_count >= 120
    assert context["is_paginated"] and context["paginator"].num_pages == (program_count + 24) // 25
    assert len(context["rows"]) == 25
    assert not context["by_program_chart"]  # no line per program once the list is paged...
    assert context["total_chart"]  # ...the yearly total instead
    body = response.content.decode()
    assert 'href="?page=3"' in body and 'href="?page=1"' in body
    last = client.get(f"/indicators/visiting-organizations/?page={context['paginator'].num_pages}")
    assert 1 <= len(last.context["rows"]) <= 25
    assert client.get("/indicators/visiting-organizations/?page=999").status_code == 404
    assert client.get("/indicators/visiting-organizations/?page=abc").status_code == 404


def test_indicator_pages_list_every_program_once_and_drop_parameters_they_do_not_read(client):
    add_programs(60)
    seen = []
    page = 1
    while True:
        response = client.get(f"/en/indicators/visiting-organizations/?page={page}&utm=x")
        seen += [row["program"].slug for row in response.context["rows"]]
        if not response.context["page_obj"].has_next():
            break
        # The page reads only `page`: an unknown parameter is dropped, not carried into its links.
        assert f'href="?page={page + 1}"' in response.content.decode() and "utm=x" not in response.content.decode()
        page += 1
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert {f"bound-{i:03d}" for i in range(60)} <= set(seen)


def test_indicator_download_has_every_value_when_the_page_is_paged(client):
    add_programs(60)
    rows = csv_records(client.get("/indicators/visiting-organizations/download.csv"))
    assert {r["program_slug"] for r in rows} >= {f"bound-{i:03d}" for i in range(60)}


def test_percent_indicator_has_no_meaningless_total(client):
    from tests.factories import IndicatorFactory

    indicator = IndicatorFactory(code="bound-rate", unit="percent")
    for _ in range(30):
        YearlyMetricFactory(indicator=indicator, program=ProgramFactory(), year=2020, value=50)
    response = client.get("/indicators/bound-rate/")
    assert not response.context["total_chart"]
    assert len(response.context["rows"]) == 25


def streamed(response):
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def test_large_downloads_are_streamed_and_equal_the_small_ones(client, monkeypatch):
    program = ProgramFactory(slug="bound-visited")
    for n in range(12):
        VisitFactory(program=program, year=2010 + n, organization=OrganizationFactory(name_ko=f"=기관 {n}"))
    url = "/visits/download.csv?program=bound-visited"
    whole = client.get(url)
    assert not whole.streaming
    monkeypatch.setattr(downloads, "STREAM_AFTER_ROWS", 5)
    monkeypatch.setattr(downloads, "STREAM_BATCH_ROWS", 4)
    text = streamed(client.get(url))
    assert text == whole.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = records(text, VISITS, "ko")
    assert len(rows) == 12 and rows[0]["organization_ko"].startswith("'=")

    data = json.loads(streamed(client.get("/visits/download.json?program=bound-visited")))
    small = json.loads(client.get("/visits/download.json?program=bound-visited&year=2010").content)
    assert data["count"] == 12 and len(data["results"]) == 12
    assert data["url"].endswith("/visits/download.json?program=bound-visited")
    assert set(data["results"][0]) == set(small["results"][0])

    add_programs(3)
    indicator_rows = streamed(client.get("/indicators/visiting-organizations/download.csv"))
    assert indicator_rows.count("bound-00") == 6


# Each list page runs the same queries and stays under 150 KB, with a few rows or many.
LIST_PAGES = {
    # The indicators with their kept figures, the sources of their values.
    "/indicators/": 2,
    # The program choices, the page, the kept figures (count, people, charts), two distinct counts,
    # the sources of the visits.
    "/visits/": 6,
    # The program choices, the cells (the count, people, charts), the page, two distinct counts,
    # the sources of the filtered visits.
    "/visits/?region=ulsan&page=2": 6,
    # The count, the page, its policies, the form's policies and core values, the page's sources.
    "/programs/": 6,
    "/programs/?q=대량": 6,
    "/en/programs/?q=대량&sort=visits": 6,
}


def add_rows(start, n):
    indicator = Indicator.objects.get(code="daily-visitors")
    policy = Policy.objects.order_by("pk").first()  # (the factory would add a policy, and an option, a program)
    for i in range(start, start + n):
        program = ProgramFactory(slug=f"bulk-{i:03d}", name_ko=f"대량 시험 사업 {i:03d}", policies=[policy])
        YearlyMetricFactory(program=program, indicator=indicator, year=2018, value=i)
        YearlyMetricFactory(program=program, indicator=indicator, year=2019, value=i)
        VisitFactory(program=program, year=2019, organization=OrganizationFactory(region="ulsan"))
        VisitFactory(program=program, year=2020, organization=OrganizationFactory(region="ulsan"))


@pytest.mark.parametrize("path", LIST_PAGES)
def test_list_pages_are_bounded_at_any_size(client, path, django_assert_num_queries):
    add_rows(0, 25)
    with django_assert_num_queries(LIST_PAGES[path] + PAGE_FRAME_QUERIES):
        small = client.get(path)
    assert small.status_code == 200
    add_rows(25, 100)
    with django_assert_num_queries(LIST_PAGES[path] + PAGE_FRAME_QUERIES):
        large = client.get(path)
    assert len(large.content) < 150_000
    if "q=" in path:  # the same kind of rows on both: the same size but for the numbers
        assert len(large.content) < len(small.content) * 1.05


def test_the_indicator_list_reads_the_kept_figures(client):
    before = {i.code: i for i in client.get("/indicators/").context["indicators"]}["daily-visitors"]
    add_rows(0, 3)
    after = {i.code: i for i in client.get("/indicators/").context["indicators"]}["daily-visitors"]
    assert after.value_count == before.value_count + 6 and after.program_count == before.program_count + 3
    metric = YearlyMetricFactory(
        program=Program.objects.get(slug="bulk-000"), indicator=after, year=1995, value=1, kind="target"
    )
    moved = {i.code: i for i in client.get("/indicators/").context["indicators"]}["daily-visitors"]
    assert moved.first_year == 1995 and moved.value_count == after.value_count + 1
    metric.delete()
    again = {i.code: i for i in client.get("/indicators/").context["indicators"]}["daily-visitors"]
    assert (again.value_count, again.first_year) == (after.value_count, after.first_year)
