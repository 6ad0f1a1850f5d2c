"""The home page: headline figures from the database, the visiting-organizations chart, lists."""

import pytest
from django.utils import timezone

from tests.factories import BudgetLineFactory, ProgramFactory, VisitFactory, YearlyMetricFactory

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
    assert after["visits_total"] == before["visits_total"] + 2
    assert after["visits_this_year"] == before["visits_this_year"] + 1
    assert after["budget_total"] == (before["budget_total"] or 0) + 1_000_000


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


def test_home_bounded_queries(client, django_assert_max_num_queries):
    for _ in range(20):
        program = ProgramFactory()
        VisitFactory(program=program)
        BudgetLineFactory(program=program)
    with django_assert_max_num_queries(10):
        assert client.get("/").status_code == 200


def test_seed_home_shows_the_palbok_counts(client, palbok):
    body = client.get("/").content.decode()
    assert "팔복예술공장" in body
    assert "84" in body and "92" in body


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
