"""Korean at the plain URLs, English under /en/, a language switch that keeps the page, and no
page half in one language: interface text is all Korean on Korean pages and all English on
English pages (content falls back to Korean only where no English exists)."""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import (
    IndicatorFactory,
    OrganizationFactory,
    PolicyFactory,
    ProgramFactory,
    SourceFactory,
    VisitFactory,
    YearlyMetricFactory,
)

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Latin words that are the same in both languages: format names, the other language's name.
LATIN_ALLOWED = {"CSV", "JSON", "Atom", "English", "RSS"}


class VisibleText(HTMLParser):
    """The text a reader sees, minus form options (they list other records) and the parts
    explicitly marked as another language with `lang`."""

    SKIP = {"script", "style", "option", "code"}
    VOID = {"br", "img", "input", "link", "meta", "hr", "rect", "line", "circle", "polyline", "path"}

    def __init__(self, language: str):
        super().__init__()
        self.language = language
        self.stack: list[bool] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        skip = tag in self.SKIP or (attrs.get("lang") not in (None, self.language))
        self.stack.append(skip or (bool(self.stack) and self.stack[-1]))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.chunks.append(data)

    @classmethod
    def of(cls, html: str, language: str) -> str:
        parser = cls(language)
        parser.feed(html)
        return " ".join(" ".join(parser.chunks).split())


@pytest.fixture
def bilingual_data():
    source = SourceFactory(publisher_ko="가나다 신문", publisher_en="Ganada News", title_ko="기사", title_en="Article")
    policy = PolicyFactory(
        slug="i18n-policy", title_ko="시험 정책", title_en="Test policy", summary_ko="요약", summary_en="Summary"
    )
    program = ProgramFactory(
        slug="i18n-program",
        name_ko="시험 사업",
        name_en="Test program",
        description_ko="설명",
        description_en="Description",
        policies=[policy],
    )
    indicator = IndicatorFactory(
        code="i18n-indicator", name_ko="방문 수", name_en="Visits", definition_ko="정의", definition_en="Definition"
    )
    YearlyMetricFactory(program=program, indicator=indicator, year=2018, value=5, source=source)
    YearlyMetricFactory(program=program, indicator=indicator, year=2019, value=6, as_of=datetime.date(2019, 6, 1))
    YearlyMetricFactory(program=program, indicator=indicator, year=2019, value=9, kind="target")
    organization = OrganizationFactory(name_ko="시험 기관", name_en="Test body", region="busan")
    VisitFactory(program=program, organization=organization, year=2019, source=source)
    program.budget_lines.create(
        start_year=2019, end_year=2019, funding_source="national", planned_amount=100, source=source
    )
    program.milestones.create(year=2019, title_ko="착공", title_en="Works began")
    program.awards.create(year=2019, name_ko="상", name_en="Prize")
    return program


PAGES = [
    "/programs/i18n-program/",
    "/policies/i18n-policy/",
    "/indicators/i18n-indicator/",
    "/visits/?program=i18n-program",
    "/programs/?q=i18n-nothing-matches&category=123",
    "/policies/?q=i18n-nothing-matches",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", PAGES)
def test_korean_pages_have_no_english_interface_text(client, bilingual_data, path):
    response = client.get(path)
    html = response.content.decode()
    assert '<html lang="ko">' in html
    text = VisibleText.of(html, "ko")
    words = set(re.findall(r"[A-Za-z]{3,}", text)) - LATIN_ALLOWED
    assert not words, f"English words on the Korean page {path}: {sorted(words)}"


@pytest.mark.parametrize("path", PAGES)
def test_english_pages_have_no_korean_interface_text(client, bilingual_data, path):
    response = client.get("/en" + path)
    html = response.content.decode()
    assert '<html lang="en">' in html
    text = VisibleText.of(html, "en")
    assert not HANGUL.search(text), (
        f"Korean text on the English page {path}: {HANGUL.findall(text)[:20]} in {text[:500]}"
    )


def test_content_falls_back_to_korean_where_no_english_exists(client):
    ProgramFactory(slug="ko-only", name_ko="한국어만 있는 사업", name_en="")
    body = client.get("/en/programs/ko-only/").content.decode()
    assert "한국어만 있는 사업" in body


def test_language_switch_keeps_the_page_and_its_query(client, bilingual_data):
    body = client.get("/programs/?category=facility&sort=name").content.decode()
    assert 'href="/en/programs/?category=facility&amp;sort=name" hreflang="en" lang="en"' in body
    body = client.get("/en/programs/i18n-program/").content.decode()
    assert 'href="/programs/i18n-program/" hreflang="ko" lang="ko"' in body
    # a 404 page switches to the other language's home page
    body = client.get("/en/nothing-here/").content.decode()
    assert 'href="/" hreflang="ko"' in body


def test_urls_are_korean_plain_and_english_prefixed(client, bilingual_data):
    assert client.get("/programs/i18n-program/").context["LANGUAGE_CODE"] == "ko"
    assert client.get("/en/programs/i18n-program/").context["LANGUAGE_CODE"] == "en"
    # An English browser still gets Korean at the plain URL (no redirect, no guessing).
    response = client.get("/programs/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "ko"


def test_every_korean_interface_string_is_translated():
    po = (Path(settings.BASE_DIR) / "locale/ko/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    untranslated = []
    for entry in entries:
        if entry.startswith("#~") or "msgid" not in entry:
            continue
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', entry + "\n", re.M)
        value = "".join(re.findall(r'"(.*)"', msgstr.group(1))) if msgstr else ""
        if not value or "#, fuzzy" in entry:
            untranslated.append(entry.splitlines()[-2:])
    assert not untranslated


def test_compiled_catalogues_are_present_and_used(client):
    for language in ("ko", "en"):
        assert (Path(settings.BASE_DIR) / f"locale/{language}/LC_MESSAGES/django.mo").exists()
    assert "전주시 정책 포털" in client.get("/").content.decode()
    assert "Jeonju Policy Portal" in client.get("/en/").content.decode()


@pytest.mark.parametrize("path", ["/en/programs/", "/en/programs/?sort=name", "/en/policies/", "/en/visits/"])
def test_english_lists_sort_by_english_names(client, path):
    ProgramFactory(name_ko="가", name_en="Zulu program")
    ProgramFactory(name_ko="하", name_en="Alpha program")
    ProgramFactory(name_ko="나", name_en="")  # falls back to Korean
    response = client.get(path)
    assert response.status_code == 200
    if "programs" in path:
        names = [str(p) for p in client.get("/en/programs/?q=program&sort=name").context["programs"]]
        assert names.index("Alpha program") < names.index("Zulu program")


def test_korean_fallback_content_is_marked_lang_ko_on_english_pages(client):
    policy = PolicyFactory(slug="fallback-policy", title_ko="번역 없는 정책", title_en="", summary_en="")
    ProgramFactory(slug="fallback", name_ko="번역 없는 사업", name_en="", description_en="", policies=[policy])
    body = client.get("/en/programs/fallback/").content.decode()
    assert '<h1 lang="ko">번역 없는 사업</h1>' in body
    assert '<div class="prose" lang="ko">' in body
    assert '<a href="/en/policies/fallback-policy/" lang="ko">번역 없는 정책</a>' in body
    korean = client.get("/programs/fallback/").content.decode()
    assert "<h1>번역 없는 사업</h1>" in korean


@pytest.mark.parametrize("path", ["//evil.example/programs/", "///evil.example/programs/?sort=name", "//evil.example/"])
def test_a_path_starting_with_two_slashes_never_links_off_site(client, path):
    # The test client would read `//host/` as a host, as a browser does; gunicorn hands such a
    # request line to Django as the path, so it is set here as the server sets it.
    response = client.get("/", PATH_INFO=path.split("?")[0], QUERY_STRING=path.partition("?")[2])
    assert response.status_code == 404
    body = response.content.decode()
    links = re.findall(r'(?:href|src|action)="([^"]*)"', body)
    assert links and not [link for link in links if link.startswith("//") or "evil.example" in link]
    assert 'href="/en/" hreflang="en"' in body  # the language switch goes to the other home page
