"""The benchmarking-visit list, its totals, charts and feeds."""

import datetime
import re

import pytest

from portal.views.visits import VisitListView
from tests.bounded import PAGE_FRAME_QUERIES
from tests.factories import OrganizationFactory, ProgramFactory, SourceFactory, VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits():
    program = ProgramFactory(slug="t-visited", name_ko="방문받은 사업")
    other = ProgramFactory(slug="t-other")
    busan = OrganizationFactory(name_ko="시험 부산 재단", kind="public_foundation", region="busan")
    seoul = OrganizationFactory(name_ko="시험 서울 구청", kind="local_government", region="seoul")
    VisitFactory(program=program, organization=busan, year=2019, visited_on=datetime.date(2019, 5, 2), people=12)
    VisitFactory(program=program, organization=seoul, year=2019)
    VisitFactory(program=program, organization=seoul, year=2018, visited_on=datetime.date(2018, 3, 1), people=3)
    VisitFactory(program=other, organization=busan, year=2018)
    return program


def names(response):
    return sorted(v.organization.name_ko for v in response.context["visits"])


def test_visit_list_filters(client, visits):
    base = "/visits/?program=t-visited"
    assert len(client.get(base).context["visits"]) == 3
    assert names(client.get(base + "&region=busan")) == ["시험 부산 재단"]
    assert names(client.get(base + "&kind=local_government")) == ["시험 서울 구청", "시험 서울 구청"]
    assert names(client.get(base + "&year=2018")) == ["시험 서울 구청"]
    assert names(client.get(base + "&date_from=2019-01-01")) == ["시험 부산 재단"]
    assert names(client.get(base + "&date_from=2018-01-01&date_to=2018-12-31")) == ["시험 서울 구청"]


def totals(response) -> dict:
    """The totals a visit list shows: the paginator's count and the view's other totals."""
    return {"visits": response.context["paginator"].count, **response.context["view"].totals}


def test_totals_and_charts_follow_the_filters(client, visits):
    response = client.get("/visits/?program=t-visited")
    assert totals(response) == {"visits": 3, "organizations": 2, "programs": 1, "people": 15}
    body = response.content.decode()
    assert body.count('role="img"') == 2
    charts = response.context["view"].visit_charts
    assert charts["year_chart"].rows == [["2018", "1건"], ["2019", "2건"]]  # no space before a counter
    regions = dict(charts["region_chart"].rows)
    assert regions == {"서울": "2건", "부산": "1건"}


@pytest.mark.parametrize(
    "query", ["program=nope", "kind=alien", "region=mars", "year=abc", "year=3000", "date_from=2019-13-45"]
)
def test_invalid_filters_are_form_errors(client, query):
    response = client.get(f"/visits/?{query}")
    assert response.status_code == 200
    assert response.context["filter"].form.errors
    assert "form-errors" in response.content.decode()


def test_hostile_pages(client):
    assert client.get("/visits/?page=99999999").status_code == 404
    assert client.get("/visits/?page=abc").status_code == 404


def test_visit_list_bounded_queries(client, django_assert_max_num_queries):
    program = ProgramFactory(slug="t-many")
    for n in range(80):
        VisitFactory(program=program, year=2000 + n % 20, organization=OrganizationFactory(region="daegu"))
    with django_assert_max_num_queries(10):
        response = client.get("/visits/?program=t-many")
    assert totals(response)["visits"] == 80


def test_atom_feed_lists_new_visits_filtered(client, visits):
    response = client.get("/visits/feed.atom?program=t-visited&region=busan")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    body = response.content.decode()
    assert "시험 부산 재단" in body
    assert "시험 서울 구청" not in body
    assert "방문받은 사업" in body


def test_rss_feed_and_invalid_feed_filters(client, visits):
    response = client.get("/visits/feed.rss?program=t-visited")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert response.content.decode().count("<item>") == 3
    assert client.get("/visits/feed.atom?region=mars").status_code == 404


def test_feed_is_newest_recorded_first(client):
    program = ProgramFactory(slug="t-order")
    first = VisitFactory(program=program, organization=OrganizationFactory(name_ko="먼저 기록"))
    second = VisitFactory(program=program, organization=OrganizationFactory(name_ko="나중 기록"))
    type(first).objects.filter(pk=first.pk).update(recorded_at=second.recorded_at - datetime.timedelta(days=1))
    body = client.get("/visits/feed.atom?program=t-order").content.decode()
    assert body.index("나중 기록") < body.index("먼저 기록")


def test_program_page_links_its_feed(client, visits):
    body = client.get("/programs/t-visited/").content.decode()
    assert "/visits/feed.atom?program=t-visited" in body


def test_atom_self_link_keeps_the_filters_and_ids_are_iris(client, visits):
    body = client.get("/visits/feed.atom?program=t-visited").content.decode()
    assert 'href="http://testserver/visits/feed.atom?program=t-visited" rel="self"' in body
    assert "<id>urn:jeonju-policy-portal:visit:" in body


def test_program_filter_takes_a_slug_or_an_exact_name(client, visits):
    for value in ("t-visited", "방문받은 사업", visits.name_en.upper()):
        response = client.get("/visits/", {"program": value})
        assert response.context["filter"].form.cleaned_data["program"] == visits
        assert len(response.context["visits"]) == 3


def test_program_filter_is_a_drop_down_list_for_a_few_programs(client, visits):
    body = client.get("/visits/?program=t-visited").content.decode()
    assert '<select name="program" id="id_program">' in body
    assert '<option value="t-visited" selected>방문받은 사업</option>' in body
    assert '<option value="t-other">' in body


def test_program_filter_is_a_text_box_when_programs_are_many(client, visits, monkeypatch):
    from portal import filters

    monkeypatch.setattr(filters, "PROGRAM_SELECT_LIMIT", 3)
    few = len(client.get("/visits/").content)
    for _ in range(30):
        ProgramFactory()
    response = client.get("/visits/?program=t-visited")
    body = response.content.decode()
    assert '<option value="t-visited"' not in body and '<select name="program"' not in body
    assert 'name="program" value="t-visited"' in body and 'aria-describedby="id_program_hint"' in body
    assert 'id="id_program_hint"' in body
    assert len(response.context["visits"]) == 3
    assert len(client.get("/visits/").content) < few + 500  # no option per program
    bad = client.get("/visits/?program=nope")
    assert "program" in bad.context["filter"].form.errors


def totals_and_charts(response) -> str:
    body = response.content.decode()
    return body[body.index('<dl class="totals">') : body.index("</dl>")] + body[body.index('id="charts-heading"') :]


def test_pages_of_one_filtered_list_share_its_totals(client, settings, django_assert_max_num_queries):
    settings.PUBLIC_FRAGMENT_CACHE_SECONDS = 600
    program = ProgramFactory(slug="t-paged")
    for n in range(60):
        VisitFactory(program=program, year=2000 + n % 20, organization=OrganizationFactory(region="ulsan"))
    per_page = VisitListView.paginate_by  # 60 visits: three full pages
    first = client.get("/visits/?program=t-paged&region=ulsan")
    assert totals(first)["visits"] == 60 and first.context["paginator"].num_pages == 60 // per_page
    # The program lookup, the form's programs, the count, the page and the sources of the filtered
    # visits; the totals and charts come from the fragment cache.
    with django_assert_max_num_queries(5 + PAGE_FRAME_QUERIES):
        second = client.get("/visits/?program=t-paged&region=ulsan&page=2")
    assert totals_and_charts(second) == totals_and_charts(first)
    assert len(second.context["visits"]) == per_page
    VisitFactory(program=program, year=2001, organization=OrganizationFactory(region="ulsan"))
    last = 60 // per_page + 1
    fresh = client.get(f"/visits/?program=t-paged&region=ulsan&page={last}")  # the data changed: new totals
    assert "<dd>61</dd>" in totals_and_charts(fresh) and len(fresh.context["visits"]) == 1
    assert "<dd>60</dd>" not in totals_and_charts(fresh)


def test_dated_visits_come_first_then_those_known_only_by_year(client):
    program = ProgramFactory(slug="t-order")
    undated = VisitFactory(program=program, year=2021, organization=OrganizationFactory(name_ko="연도만"))
    older = VisitFactory(
        program=program, year=2021, visited_on=datetime.date(2021, 3, 1), organization=OrganizationFactory()
    )
    newer = VisitFactory(
        program=program, year=2021, visited_on=datetime.date(2021, 9, 1), organization=OrganizationFactory()
    )
    last_year = VisitFactory(
        program=program, year=2020, visited_on=datetime.date(2020, 5, 1), organization=OrganizationFactory()
    )
    listed = list(client.get("/visits/?program=t-order").context["visits"])
    assert listed == [newer, older, undated, last_year]


MARKUP = "<b>x</b><script>alert(1)</script>"


@pytest.fixture
def visit_with_markup():
    from tests.factories import SourceFactory

    program = ProgramFactory(slug="t-markup")
    VisitFactory(
        program=program,
        organization=OrganizationFactory(name_ko=f"기관 {MARKUP}"),
        purpose_ko=f"목적 {MARKUP}",
        source=SourceFactory(publisher_ko=f"출판사 {MARKUP}", title_ko="제목"),
    )
    return program


def feed_entries(client, url, entry_tag):
    import xml.etree.ElementTree as ET

    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    return list(root.iter(entry_tag))


def test_atom_summaries_are_plain_text_not_html(client, visit_with_markup):
    atom = "{http://www.w3.org/2005/Atom}"
    (entry,) = feed_entries(client, "/visits/feed.atom?program=t-markup", f"{atom}entry")
    summary = entry.find(f"{atom}summary")
    assert summary.get("type") == "text"
    assert f"목적 {MARKUP}" in summary.text and f"출판사 {MARKUP}" in summary.text
    title = entry.find(f"{atom}title")
    assert title.get("type") in (None, "text")  # Atom's default is text
    assert f"기관 {MARKUP}" in title.text


def test_rss_descriptions_escape_the_markup_staff_typed(client, visit_with_markup):
    (item,) = feed_entries(client, "/visits/feed.rss?program=t-markup", "item")
    description = item.find("description").text  # XML-decoded: the HTML a reader renders
    assert "<b>" not in description and "<script>" not in description
    assert "목적 &lt;b&gt;x&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in description
    assert "출판사 &lt;b&gt;x&lt;/b&gt;" in description


def source_list(body: str) -> list[str]:
    section = re.search(r'<section class="sources".*?</section>', body, re.S)
    return re.findall(r'<li id="source-\d+">(.*?)</li>', section.group(0), re.S) if section else []


def test_visit_list_names_the_sources_of_the_visits_it_counts(client):
    body = client.get("/visits/").content.decode()
    listed = source_list(body)
    assert len(listed) == 1 and "문화재생·복지·탄소산업, 전주를 배워라" in listed[0]  # the seed's visits
    assert body.count('href="#source-1"') == 17  # every row cites it
    other = SourceFactory(publisher="시험 출판사", title="다른 방문 기록")
    program = ProgramFactory(slug="t-sourced")
    VisitFactory(program=program, source=other)
    VisitFactory(program=program, source=None)
    filtered = client.get("/visits/?program=t-sourced").content.decode()
    listed = source_list(filtered)
    assert len(listed) == 1 and "다른 방문 기록" in listed[0]  # only the sources of the visits counted
    assert filtered.count('href="#source-1"') == 1
    assert len(source_list(client.get("/visits/").content.decode())) == 2
    invalid = client.get("/visits/?year=abc")  # a form error: no visit counted, no source
    assert invalid.status_code == 200 and source_list(invalid.content.decode()) == []


def test_feeds_page_reads_as_a_page_and_links_the_feeds(client, visits):
    """Browsers show a feed's XML raw: the page the site links explains the feeds, gives their
    addresses (every visit, the filters it came with, one program) and previews the entries."""
    response = client.get("/visits/feeds/?program=t-visited&region=busan")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "http://testserver/visits/feed.atom?program=t-visited&amp;region=busan" in body
    assert "http://testserver/visits/feed.rss?program=t-visited&amp;region=busan" in body
    assert "http://testserver/visits/feed.atom</code>" in body  # every visit, too
    assert '/visits/feeds/?program=t-visited"' in body  # one program's feeds
    preview = response.context["latest"]
    assert [item["visit"].organization.name_ko for item in preview] == ["시험 부산 재단"]
    assert "시험 부산 재단" in body


def test_feeds_page_in_english_and_for_bad_filters(client, visits):
    body = client.get("/en/visits/feeds/").content.decode()
    assert "Copy a feed's address into a feed reader" in body
    assert "http://testserver/en/visits/feed.rss" in body
    assert client.get("/visits/feeds/?region=mars").status_code == 404


def test_site_links_the_feeds_page_not_the_raw_feed(client, visits):
    for url in ("/", "/visits/", "/programs/t-visited/"):
        body = client.get(url).content.decode()
        assert "/visits/feeds/" in body, url
    # Feed readers still find the feeds themselves from a page's head.
    assert 'type="application/atom+xml"' in client.get("/programs/t-visited/").content.decode()


def _row_of(body: str, organization: str) -> str:
    rows = [
        row
        for row in re.findall(r"<tr>.*?</tr>", body, flags=re.S)
        if re.search(f'scope="row"[^>]*>{organization}<', row)
    ]
    assert rows, f"no table row for {organization}"
    return rows[0]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_visit_list_and_program_page_show_purpose_and_delegation_size(client, prefix):
    program = ProgramFactory(slug="t-purposes", name_ko="목적 사업")
    known = OrganizationFactory(name_ko="시험 목적 기관", name_en="Test purpose body", region="busan")
    unknown = OrganizationFactory(name_ko="시험 미상 기관", name_en="Test unknown body", region="seoul")
    VisitFactory(
        program=program,
        organization=known,
        year=2019,
        people=12,
        purpose_ko="주거복지 견학",
        purpose_en="Housing study",
    )
    VisitFactory(program=program, organization=unknown, year=2018)
    purpose, people = ("주거복지 견학", "12명") if not prefix else ("Housing study", "12 people")
    headers = ("목적", "방문 인원") if not prefix else ("Purpose", "Delegation size")
    for url in (f"{prefix}/visits/?program=t-purposes", f"{prefix}/programs/t-purposes/"):
        body = client.get(url).content.decode()
        assert all(f">{header}</th>" in body for header in headers), url
        row = _row_of(body, "Test purpose body" if prefix else "시험 목적 기관")
        assert f">{purpose}</td>" in row and f">{people}</td>" in row, row
        # A visit whose purpose and size nobody recorded says so with a dash, not a blank guess.
        assert '<td class="numeric">–</td>' in _row_of(body, "Test unknown body" if prefix else "시험 미상 기관"), url


def test_a_page_of_visits_with_no_delegation_size_has_no_empty_column(client):
    program = ProgramFactory(slug="t-no-sizes")
    VisitFactory(program=program, year=2019, purpose_ko="견학")
    body = client.get("/visits/?program=t-no-sizes").content.decode()
    assert ">목적</th>" in body and ">방문 인원</th>" not in body
