"""The public pages as their templates render them: escaped, Korean fallbacks marked, footnotes linked."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.selectors import VISITING_ORGANIZATIONS
from portal.templatetags.portal import korean_fallback, municipality_shown
from programs.models import Indicator
from tests.factories import (
    BudgetLineFactory,
    OrganizationFactory,
    PolicyFactory,
    ProgramFactory,
    SourceFactory,
    VisitFactory,
    YearlyMetricFactory,
)
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_visit_rows_escape_and_mark_korean_fallbacks():
    program = ProgramFactory(slug="t-rows", name_ko="행 <시험>", name_en="")
    organization = OrganizationFactory(name_ko="<b>기관</b>", name_en="", region="ulsan", municipality_ko="울주군")
    VisitFactory(program=program, organization=organization, year=2020, visited_on=None)
    visit = Visit.objects.select_related("program", "organization").get(program=program)
    with translation.override("en"):
        html = render_to_string("visits/includes/visit_row.html", {"visit": visit})
        url = reverse("programs:detail", args=["t-rows"])
    assert "&lt;b&gt;기관&lt;/b&gt;" in html and "<b>" not in html
    assert '<th scope="row" lang="ko">&lt;b&gt;기관&lt;/b&gt;</th>' in html
    assert f'<a href="{url}" lang="ko">행 &lt;시험&gt;</a>' in html
    assert '<td>Ulsan · <span lang="ko">울주군</span></td>' in html
    assert f'href="{url}"' in html and url.startswith("/en/")
    assert "<td>2020</td>" in html


def test_program_rows_show_periods_figures_and_policies(client):
    program = ProgramFactory(slug="t-row-a", name_ko="가행시험", start_year=2018, end_year=None)
    program.policies.add(
        PolicyFactory(title_ko="나 정책", title_en=""), PolicyFactory(title_ko="다 정책", title_en="C")
    )
    html = client.get("/en/programs/?q=가행시험").content.decode()
    row = html[html.index('href="/en/programs/t-row-a/"') :]
    row = row[: row.index("</tr>")]
    # Policies by their title on the page, a Korean fallback marked as Korean.
    assert '<span class="meta">C, ' in row and '<span lang="ko">나 정책</span></span></th>' in row
    assert "<td>2018–</td>" in row
    assert '<td class="numeric">–</td>' in row  # no count from any source, no budget
    assert '<td class="numeric">0</td>' in row  # no named visit


def test_korean_fallback_holds_for_an_untranslated_field_on_a_page_in_another_language():
    untranslated = OrganizationFactory(name_ko="번역 없는 기관", name_en="", municipality_ko="", municipality_en="")
    translated = OrganizationFactory(name_ko="번역된 기관", name_en="Translated body")
    with translation.override("en"):
        assert korean_fallback(untranslated, "name") is True
        assert korean_fallback(translated, "name") is False
        assert korean_fallback(untranslated, "municipality") is False  # nothing to mark
    with translation.override("ko"):
        assert korean_fallback(untranslated, "name") is False


@pytest.mark.parametrize(
    ("language", "region", "municipality", "shown"),
    [
        ("ko", "sejong", "세종시", False),
        ("en", "sejong", "Sejong", False),
        ("ko", "busan", "부산광역시", False),
        ("en", "busan", "Busan Metropolitan City", False),
        ("ko", "gyeonggi", "수원시", True),
        ("en", "gyeonggi", "Suwon", True),
        ("ko", "gyeonggi", "", False),
    ],
)
def test_a_municipality_is_shown_only_where_it_adds_to_the_region(language, region, municipality, shown):
    with translation.override(language):
        organization = OrganizationFactory.build(region=region, municipality=municipality)
        assert municipality_shown(organization) is shown


def test_an_english_page_marks_an_untranslated_name_korean_and_escapes_it(client):
    program = ProgramFactory(slug="t-script", name_ko="<script>alert(1)</script> 사업", name_en="")
    organization = OrganizationFactory(name_ko="<i>기관</i>", name_en="")
    VisitFactory(program=program, organization=organization, year=2019)
    body = client.get("/en/programs/t-script/").content.decode()
    assert "<script>alert" not in body and "<i>" not in body
    name = "&lt;script&gt;alert(1)&lt;/script&gt; 사업"
    assert f'<h1 lang="ko">{name}</h1>' in body
    assert f'<li aria-current="page" lang="ko">{name}</li>' in body
    # In a list of names there is no element of its own to mark: a span is written for it.
    assert '1 named: <span lang="ko">&lt;i&gt;기관&lt;/i&gt;</span>' in body
    assert '<th scope="row" lang="ko">&lt;i&gt;기관&lt;/i&gt;</th>' in body
    listed = client.get("/en/programs/?q=사업").content.decode()
    assert f'<a href="/en/programs/t-script/" lang="ko">{name}</a>' in listed
    korean = client.get("/programs/t-script/").content.decode()
    assert f"<h1>{name}</h1>" in korean and f'<li aria-current="page">{name}</li>' in korean


FOOTNOTE = re.compile(
    r'<a class="source-ref" href="#source-(\d+)"><span class="visually-hidden">(\w+) </span>\[(\d+)\]</a>'
)


def footnotes(html: str, word: str) -> list[int]:
    """The footnote references in `html`, each checked whole: its link, its hidden word, its number."""
    found = FOOTNOTE.findall(html)
    assert len(found) == html.count('class="source-ref"')  # none in another shape
    assert all(target == number and hidden == word for target, hidden, number in found)
    return [int(number) for _, _, number in found]


def listed_as(html: str, title: str) -> int:
    """The number of the source of that title in the page's list of sources."""
    return int(re.search(rf'<li id="source-(\d+)">[^<]*, «{re.escape(title)}»', html).group(1))


def item(html: str, start: str) -> str:
    """The list item of `html` that begins with `start`."""
    html = html[html.index(start) :]
    return html[: html.index("</li>")]


def test_footnote_references_link_to_their_numbered_source(client):
    first = SourceFactory(title_ko="첫 문서", title_en="First paper")
    second = SourceFactory(title_ko="둘째 문서", title_en="Second paper")
    program = ProgramFactory(slug="t-notes")
    counted = Indicator.objects.get_or_create(code=VISITING_ORGANIZATIONS, defaults={"unit": "organizations"})[0]
    YearlyMetricFactory(program=program, indicator=counted, year=2019, value=7, source=first)
    YearlyMetricFactory(program=program, indicator=counted, year=2019, value=9, kind="target", source=second)
    VisitFactory(program=program, year=2019, source=second)
    BudgetLineFactory(program=program, source=first)
    program.milestones.create(year=2018, title_ko="착공", title_en="Works began", source=second)
    program.awards.create(year=2019, name_ko="상", name_en="Prize", source=first)
    for prefix, word, titles in (
        ("/en", "source", ("First paper", "Second paper")),
        ("", "출처", ("첫 문서", "둘째 문서")),
    ):
        body = client.get(f"{prefix}/programs/t-notes/").content.decode()
        # Numbered in the order the page meets them (between an actual figure and a target of the
        # same year, the database's order).
        a, b = (listed_as(body, title) for title in titles)
        assert {a, b} == {1, 2}
        # the yearly count and the visit, the figures' sources, the budget line, the milestone, the award
        assert sorted(footnotes(body, word)) == sorted([a, b, a, b, a, b, a])
        assert footnotes(item(body, '<span class="when">2018</span>'), word) == [b]  # the milestone
        assert footnotes(item(body, '<span class="when">2019</span>'), word) == [a]  # the award
        body = client.get(f"{prefix}/indicators/{VISITING_ORGANIZATIONS}/").content.decode()
        row = body[body.index(f'href="{prefix}/programs/t-notes/"') :]
        actual, target = footnotes(row[: row.index("</tr>")], word)  # (the seed's programs come first)
        assert (actual, target) == tuple(listed_as(body, title) for title in titles)
