"""The site-wide search (/search/) and the lists' ?q=: how words match (jeonju.search), what the
page groups and links, bad queries, its query count, the header's box on every page, and on
PostgreSQL the indexes the conditions use."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from jeonju.search import MAX_QUERY_LENGTH, MAX_WORDS, words
from policies.models import Policy
from programs.models import Indicator, Program
from tests.bounded import PAGE_FRAME_QUERIES
from tests.factories import IndicatorFactory, OrganizationFactory, PolicyFactory, ProgramFactory, VisitFactory
from visits.models import Organization, Region, Visit

pytestmark = pytest.mark.django_db


def slugs(queryset):
    return set(queryset.values_list("slug", flat=True))


def section(body: str, key: str) -> str:
    match = re.search(rf'<section class="search-group" id="results-{key}".*?</section>', body, re.S)
    assert match, f"no {key} section"
    return match.group(0)


def heading_count(body: str, key: str) -> str:
    return re.search(r'<span class="search-count">\((.*?)\)</span>', section(body, key)).group(1)


# Words


def test_words_are_cut_at_punctuation_lower_cased_and_told_apart():
    assert [(w.text, w.latin) for w in words("  Art,  팔복-예술 art 2019 ")] == [
        ("art", True),
        ("팔복", False),
        ("예술", False),
        ("2019", True),
    ]
    assert words("!!! ...") == []
    assert len(words(" ".join(f"w{i}" for i in range(20)))) == MAX_WORDS


# Matching, Korean and English


def test_korean_words_match_with_or_without_their_spaces(palbok):
    assert palbok.slug in slugs(Program.objects.search("팔복 예술"))
    assert palbok.slug in slugs(Program.objects.search("팔복예술"))
    assert palbok.slug in slugs(Program.objects.search("팔복예술공장"))
    spaced = ProgramFactory(name_ko="덕진 공원 연꽃 축제", name_en="Deokjin lotus")
    assert spaced.slug in slugs(Program.objects.search("덕진공원연꽃"))
    assert spaced.slug in slugs(Program.objects.search("공원연꽃 덕진"))


def test_every_word_must_match(palbok):
    assert palbok.slug in slugs(Program.objects.search("팔복 공장"))
    assert palbok.slug not in slugs(Program.objects.search("팔복 서울"))
    assert palbok.slug not in slugs(Program.objects.search("art bicycle"))


def test_latin_words_match_at_word_starts_only(palbok):
    found = slugs(Program.objects.search("art"))
    assert palbok.slug in found
    assert "apartment-communities" not in found  # "Apartment communities", 아파트공동체
    assert palbok.slug in slugs(Program.objects.search("ART FACTORY"))
    assert palbok.slug in slugs(Program.objects.search("fact"))
    assert palbok.slug not in slugs(Program.objects.search("actory"))


def test_english_and_korean_fields_both_match(palbok):
    assert palbok.slug in slugs(Program.objects.search("Palbok"))
    assert palbok.slug in slugs(Program.objects.search("팔복"))
    policy = PolicyFactory(title_ko="탄소 산업 시험", title_en="Carbon trial", summary_ko="", summary_en="")
    assert policy.slug in slugs(Policy.objects.search("carbon trial"))
    assert policy.slug in slugs(Policy.objects.search("탄소산업"))
    indicator = IndicatorFactory(name_ko="방문 버스 대수", name_en="Tour buses")
    assert indicator.code in Indicator.objects.search("buses").values_list("code", flat=True)
    assert indicator.code in Indicator.objects.search("버스대수").values_list("code", flat=True)


def test_organizations_match_by_name_city_and_region_in_both_languages():
    suwon = Organization.objects.get(name_ko="수원시")
    assert suwon in Organization.objects.search("수원")
    assert suwon in Organization.objects.search("suwon city")
    assert suwon in Organization.objects.search("경기")  # its region, in Korean
    assert suwon in Organization.objects.search("gyeonggi")  # and in English
    assert suwon not in Organization.objects.search("부산")
    dalseo = Organization.objects.get(name_ko="대구 달서구")
    assert dalseo in Organization.objects.search("대구달서구")
    assert dalseo in Organization.objects.search("dalseo")


def test_visits_match_by_organization_city_region_or_purpose():
    program = ProgramFactory()
    organization = OrganizationFactory(
        name_ko="가상 연구소", name_en="Imaginary Institute", region=Region.JEJU, municipality_ko="서귀포시"
    )
    visit = VisitFactory(program=program, organization=organization, purpose_ko="공유 주방 견학", purpose_en="")
    other = VisitFactory(program=program, purpose_ko="시설 견학", purpose_en="")
    for query in ("가상연구소", "imaginary", "서귀포", "제주", "jeju", "공유주방", "공유 주방 견학", "제주 주방"):
        assert visit in Visit.objects.search(query), query
        assert other not in Visit.objects.search(query), query
    assert visit not in Visit.objects.search("제주 시설")


def test_the_visit_list_takes_the_query(client):
    organization = OrganizationFactory(name_ko="가상 재단", name_en="Imaginary Foundation")
    VisitFactory(organization=organization, purpose_ko="도시 재생 배움")
    VisitFactory(purpose_ko="")
    response = client.get("/visits/?q=가상재단")
    assert response.status_code == 200
    body = response.content.decode()
    assert "가상 재단" in body
    assert "시험 기관" not in body  # the other visit's organization
    english = client.get("/en/visits/?q=imaginary+foundation").content.decode()
    assert "Imaginary Foundation" in english


# The page


def test_the_page_groups_by_kind_with_counts_and_links(client, palbok):
    body = client.get("/search/?q=팔복 예술").content.decode()
    programs = section(body, "programs")
    assert 'href="/programs/palbok-art-factory/"' in programs
    assert heading_count(body, "programs") == str(Program.objects.search("팔복 예술").count())
    for key in ("policies", "indicators", "organizations", "visits"):
        section(body, key)
    # 문화재생: a policy's title, and the purpose the visits to the Art Factory give.
    body = client.get("/search/?q=문화 재생").content.decode()
    assert "전주형 문화재생" in section(body, "policies")
    visits = section(body, "visits")
    assert 'href="/programs/palbok-art-factory/"' in visits
    assert heading_count(body, "visits") == str(Visit.objects.search("문화재생").count())


def test_the_page_in_english(client, palbok):
    response = client.get("/en/search/?q=art+factory")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in body
    assert 'href="/en/programs/palbok-art-factory/">Palbok Art Factory</a>' in section(body, "programs")
    assert "Apartment communities" not in body


def test_names_come_before_descriptions(client, palbok):
    ProgramFactory(name_ko="가나다 사업", name_en="Alpha", description_en="Cited in an article about art.")
    body = client.get("/en/search/?q=art").content.decode()
    programs = section(body, "programs")
    assert programs.index("Palbok Art Factory") < programs.index("Alpha")


def test_beyond_the_first_results_a_link_to_the_list_with_the_query(client):
    for i in range(12):
        ProgramFactory(name_ko=f"견본 사업 {i:02d}", name_en=f"Sample program {i:02d}")
    body = client.get("/search/?q=견본").content.decode()
    programs = section(body, "programs")
    assert programs.count("<li>") == 10
    assert heading_count(body, "programs") == "12"
    assert 'href="/programs/?q=%EA%B2%AC%EB%B3%B8"' in programs
    listed = client.get("/programs/?q=견본").content.decode()
    assert all(f"견본 사업 {i:02d}" in listed for i in range(12))


def test_an_empty_query_asks_for_words(client):
    for path in ("/search/", "/search/?q=", "/search/?q=+++", "/en/search/"):
        response = client.get(path)
        assert response.status_code == 200
        assert 'class="empty"' in response.content.decode()
        assert "search-group" not in response.content.decode()


def test_punctuation_alone_gets_a_message(client):
    body = client.get("/search/?q=!!!").content.decode()
    assert 'role="alert"' in body
    assert "search-group" not in body


def test_a_too_long_query_gets_a_message_not_an_error(client):
    response = client.get("/search/", {"q": "팔복" * MAX_QUERY_LENGTH})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="alert"' in body
    assert "100" in re.search(r'role="alert">(.*?)</p>', body).group(1)
    assert "search-group" not in body
    assert client.get("/programs/", {"q": "a" * 500}).status_code == 200


def test_the_query_count_does_not_grow_with_the_results(client, django_assert_max_num_queries):
    def page_queries(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    organization = OrganizationFactory(name_ko="규모 기관 0", name_en="Scale organization 0")
    few = page_queries("/search/?q=규모")
    for i in range(1, 25):
        program = ProgramFactory(name_ko=f"규모 사업 {i}", name_en=f"Scale program {i}")
        PolicyFactory(title_ko=f"규모 정책 {i}", title_en=f"Scale policy {i}")
        organization = OrganizationFactory(name_ko=f"규모 기관 {i}", name_en=f"Scale organization {i}")
        VisitFactory(program=program, organization=organization)
    # One query a word for the organizations, one for each kind's first results, one count for
    # each kind with more than shown (the organizations' is the number of ids), the page's frame.
    many = page_queries("/search/?q=규모")
    assert many <= 1 + 5 + 3 + PAGE_FRAME_QUERIES
    with django_assert_max_num_queries(many):
        client.get("/search/?q=규모")
    more = [f"규모 사업 {i}" for i in range(25, 60)]
    for name in more:
        ProgramFactory(name_ko=name)
    assert page_queries("/search/?q=규모") == many
    assert few <= many
    # A second word costs at most one query more (its organizations), not one a result.
    assert page_queries("/search/?q=규모+사업") <= many + 1


def test_the_page_is_cached_by_its_query(client, palbok):
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=300):
        cache.clear()
        first = client.get("/search/?q=팔복")
        assert first["X-Cache"] == "miss"
        with CaptureQueriesContext(connection) as queries:
            again = client.get("/search/?q=팔복&utm_source=x")
        assert again["X-Cache"] == "hit"
        assert len(queries) == 0
        other = client.get("/search/?q=수원")
        assert other["X-Cache"] == "miss"
        assert "수원시" in other.content.decode()
        cache.clear()


# The header's box, on every page


PAGES = [
    "/",
    "/policies/",
    "/programs/",
    "/programs/palbok-art-factory/",
    "/indicators/",
    "/indicators/visiting-organizations/",
    "/visits/",
    "/privacy/",
    "/search/?q=팔복",
    "/no-such-page/",
]


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_header_search(client, palbok, prefix, path):
    response = client.get(prefix + path)
    body = response.content.decode()
    header = re.search(r'<header class="site-header">.*?</header>', body, re.S).group(0)
    form = re.search(
        r'<form class="site-search" method="get" action="([^"]+)" role="search"[^>]*>.*?</form>', header, re.S
    )
    assert form, path
    assert form.group(1) == f"{prefix}/search/"
    assert '<label for="site-q"' in form.group(0)
    assert 'name="q"' in form.group(0)
    assert 'type="submit"' in form.group(0)


def test_the_home_page_box_searches_the_whole_site(client):
    body = client.get("/").content.decode()
    hero = re.search(r'<form class="hero-search".*?</form>', body, re.S).group(0)
    assert 'action="/search/"' in hero


# PostgreSQL: the conditions are those the indexes answer


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda: Visit.objects.search("견학"), "visit_compact_bigrams"),
        (lambda: Visit.objects.search("visit"), "visit_search_trgm"),
        (lambda: Program.objects.search("팔복 예술"), "program_compact_bigrams"),
        (lambda: Program.objects.search("art"), "program_search_trgm"),
        (lambda: Policy.objects.search("문화재생"), "policy_compact_bigrams"),
        (lambda: Indicator.objects.search("방문"), "indicator_compact_bigrams"),
        (lambda: Organization.objects.ids_matching_word(words("수원")[0]), "organization_compact_bigrams"),
    ],
)
def test_postgresql_reads_the_matches_through_the_search_indexes(queryset, index):
    sql, params = queryset().order_by().query.sql_with_params()  # no order to read an index for
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
