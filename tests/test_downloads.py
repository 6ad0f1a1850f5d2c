"""CSV/JSON downloads: BOM, formula escaping, same filters as the page."""

import csv
import io
import json
import unicodedata
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jeonju.csvio import escape_csv_cell, starts_like_formula
from portal.downloads import csv_text
from tests.csv_records import csv_records
from tests.factories import OrganizationFactory, ProgramFactory, VisitFactory


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\ncmd", "'\ncmd"),
        (" =1+2", "' =1+2"),
        ("\u00a0=1+2", "'\u00a0=1+2"),
        ("\u3000=1+2", "'\u3000=1+2"),
        ("\u200b=1+2", "'\u200b=1+2"),
        ("\ufeff=1+2", "'\ufeff=1+2"),
        ("\u2060@SUM(A1)", "'\u2060@SUM(A1)"),
        ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("팔복예술공장", "팔복예술공장"),
        ("'=already", "'=already"),
        ("", ""),
        ("a=b", "a=b"),
        (None, ""),
        (-5, -5),
        (84, 84),
        (Decimal("-5.5"), Decimal("-5.5")),
        (-0.5, -0.5),
    ],
)
def test_escape_csv_cell(value, expected):
    assert escape_csv_cell(value) == expected


def _excel_strip(text: str) -> str:
    """The text as a spreadsheet may look at it: leading whitespace and format characters gone."""
    return text.lstrip("".join(c for c in text[:64] if c.isspace() or unicodedata.category(c) == "Cf"))


FORMULA_STARTS = "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20"
# Text biased towards what matters: formula characters behind invisible and space characters.
tricky_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(FORMULA_STARTS + " '\u00a0\u3000\u200b\u200e\u2060\ufeff\u00ad\U000e0041"),
        st.characters(),
    )
)


@given(tricky_text)
@settings(max_examples=500)
def test_no_escaped_cell_can_start_a_formula(text):
    for cell in (escape_csv_cell(text), next(csv.reader([csv_text(["c"], [[text]]).split("\r\n", 1)[1]]))[0]):
        if not cell.startswith("'"):
            assert _excel_strip(cell) == cell  # nothing a spreadsheet would strip first
            assert not cell.startswith(tuple(FORMULA_STARTS)), repr(cell)
        if text:
            assert cell[-len(text) :] == text  # only ever a prefix added


@given(tricky_text)
def test_the_importer_reads_an_escaped_cell_back(text):
    from jeonju.csvio import unescape_formula_guard

    assume(not (text.startswith("'") and starts_like_formula(text[1:])))  # ambiguous as written
    assert unescape_formula_guard(escape_csv_cell(text)) == text


def test_csv_text_starts_with_bom_and_escapes():
    text = csv_text(["name"], [["=1+1"], ["전주"]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["name"], ["'=1+1"], ["전주"]]


def _csv_rows(response):
    """The rows by their JSON keys, the header checked in the page's language (tests.csv_records)."""
    return csv_records(response)


@pytest.mark.django_db
def test_program_csv_is_utf8_bom_and_escapes_formula_names(client):
    ProgramFactory(slug="evil", name_ko="=cmd|' /C calc'!A0", name_en="@evil")
    response = client.get("/programs/download.csv?q=cmd")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert [r["slug"] for r in rows] == ["evil"]
    assert rows[0]["name_ko"].startswith("'=")
    assert rows[0]["name_en"] == "'@evil"


@pytest.mark.django_db
def test_program_download_follows_the_filters(client):
    ProgramFactory(slug="dl-facility", category="facility", name_ko="다운로드 시설")
    ProgramFactory(slug="dl-welfare", category="welfare_service", name_ko="다운로드 복지")
    rows = _csv_rows(client.get("/programs/download.csv?q=다운로드&category=welfare_service"))
    assert [r["slug"] for r in rows] == ["dl-welfare"]
    data = json.loads(client.get("/programs/download.json?q=다운로드&category=welfare_service").content)
    assert data["count"] == 1
    assert data["results"][0]["slug"] == "dl-welfare"


@pytest.mark.django_db
def test_download_with_invalid_filter_is_a_400_not_a_500(client):
    response = client.get("/programs/download.csv?category=nope")
    assert response.status_code == 400


@pytest.mark.django_db
def test_visit_downloads(client):
    program = ProgramFactory(slug="dl-visited")
    VisitFactory(program=program, organization=OrganizationFactory(name_ko="+수상한 기관", region="busan"), year=2019)
    VisitFactory(program=program, organization=OrganizationFactory(region="seoul"), year=2018)
    rows = _csv_rows(client.get("/visits/download.csv?program=dl-visited&region=busan"))
    assert len(rows) == 1
    assert rows[0]["organization_ko"] == "'+수상한 기관"
    assert rows[0]["year"] == "2019"
    data = json.loads(client.get("/visits/download.json?program=dl-visited").content)
    assert data["count"] == 2
    assert {r["region"] for r in data["results"]} == {"busan", "seoul"}


@pytest.mark.django_db
def test_policy_downloads(client):
    from tests.factories import PolicyFactory

    PolicyFactory(slug="dl-policy", title_ko="내려받기 정책", sector="digital")
    rows = _csv_rows(client.get("/policies/download.csv?sector=digital&q=내려받기"))
    assert [r["slug"] for r in rows] == ["dl-policy"]
    data = json.loads(client.get("/policies/download.json?sector=digital&q=내려받기").content)
    assert data["results"][0]["sector"] == "digital"


@pytest.mark.django_db
def test_indicator_downloads(client):
    from tests.factories import IndicatorFactory, YearlyMetricFactory

    indicator = IndicatorFactory(code="dl-indicator")
    YearlyMetricFactory(indicator=indicator, year=2019, value=12)
    rows = _csv_rows(client.get("/indicators/dl-indicator/download.csv"))
    assert [(r["year"], r["value"]) for r in rows] == [("2019", "12")]
    data = json.loads(client.get("/indicators/dl-indicator/download.json").content)
    assert data["results"][0]["value"] == 12
    assert client.get("/indicators/no-such/download.csv").status_code == 404


@pytest.mark.django_db
def test_program_budget_download_says_who_paid_what(client, palbok):
    # Issue 3: a citizen can download what Palbok cost and who paid.
    response = client.get("/programs/palbok-art-factory/budget.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="palbok-art-factory-budget.csv"' in response["Content-Disposition"]
    rows = _csv_rows(response)
    by_source = {row["funding_source"]: row for row in rows}
    assert set(by_source) == {"national", "unspecified"}
    national = by_source["national"]
    assert national["program_slug"] == "palbok-art-factory"
    assert national["executed_krw"] == "2500000000" and national["planned_krw"] == ""
    assert national["start_year"] == "" and national["period"] == "기간 미상"
    assert national["funding_source_label"] == "국비"
    assert "업코리아" in national["source"]
    assert sum(int(row["executed_krw"]) for row in rows) == 5_000_000_000

    data = json.loads(client.get("/en/programs/palbok-art-factory/budget.json").content)
    assert data["program"] == "palbok-art-factory" and data["count"] == 2
    national = next(r for r in data["results"] if r["funding_source"] == "national")
    assert national["executed_krw"] == 2_500_000_000 and national["planned_krw"] is None
    assert national["funding_source_label"] == "National funds" and national["period"] == "period not given"


@pytest.mark.django_db
def test_program_budget_download_escapes_formulas_and_keeps_years(client):
    from tests.factories import BudgetLineFactory

    program = ProgramFactory(slug="budget-csv")
    BudgetLineFactory(program=program, start_year=2017, end_year=2020, note_ko="=HYPERLINK(1)", planned_amount=7)
    rows = _csv_rows(client.get("/programs/budget-csv/budget.csv"))
    assert rows[0]["note_ko"] == "'=HYPERLINK(1)"
    assert (rows[0]["start_year"], rows[0]["end_year"], rows[0]["period"]) == ("2017", "2020", "2017–2020")
    assert rows[0]["planned_krw"] == "7"


@pytest.mark.django_db
def test_program_figures_download_lists_every_yearly_value(client, palbok):
    rows = _csv_rows(client.get("/programs/palbok-art-factory/figures.csv"))
    visits = {r["year"]: r for r in rows if r["indicator"] == "visiting-organizations" and r["kind"] == "actual"}
    assert {year: (r["value"], r["as_of"]) for year, r in visits.items()} == {
        "2018": ("84", ""),
        "2019": ("92", "2019-10-21"),
    }
    data = json.loads(client.get("/programs/palbok-art-factory/figures.json").content)
    assert data["count"] == len(rows)


@pytest.mark.django_db
def test_program_downloads_of_an_unknown_program_or_format_are_404(client):
    assert client.get("/programs/no-such-program/budget.csv").status_code == 404
    assert client.get("/programs/no-such-program/figures.json").status_code == 404
    assert client.get("/programs/palbok-art-factory/budget.xlsx").status_code == 404


# --- the reader's language (issue 13) ----------------------------------------------------------


def _raw_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))


@pytest.mark.django_db
def test_a_korean_page_downloads_korean_headers_and_labels_with_the_codes_beside_them(client):
    program = ProgramFactory(slug="dl-lang")
    VisitFactory(
        program=program,
        organization=OrganizationFactory(name_ko="내려받기시", kind="local_government", region="gyeonggi"),
        year=2019,
    )
    header, row = _raw_csv(client.get("/visits/download.csv?program=dl-lang"))
    assert header[:3] == ["사업 코드", "사업명(한국어)", "사업명(영어)"]
    cells = dict(zip(header, row, strict=True))
    assert (cells["지역"], cells["지역 코드"]) == ("경기", "gyeonggi")
    assert (cells["기관 유형"], cells["기관 유형 코드"]) == ("지방자치단체", "local_government")
    assert header.index("지역 코드") == header.index("지역") + 1


@pytest.mark.django_db
def test_an_english_page_downloads_english_headers_and_labels(client):
    program = ProgramFactory(slug="dl-lang", name_ko="내려받기언어", category="facility", status="active")
    VisitFactory(program=program, organization=OrganizationFactory(kind="local_government", region="gyeonggi"))
    header, row = _raw_csv(client.get("/en/visits/download.csv?program=dl-lang"))
    cells = dict(zip(header, row, strict=True))
    assert (cells["Region"], cells["Region code"]) == ("Gyeonggi", "gyeonggi")
    assert (cells["Kind of organization"], cells["Kind of organization code"]) == (
        "Local government",
        "local_government",
    )
    assert not any("\uac00" <= c <= "\ud7a3" for c in "".join(header))  # no Hangul in an English header
    from policies.models import Status

    header, row = _raw_csv(client.get("/en/programs/download.csv?q=내려받기언어"))
    cells = dict(zip(header, row, strict=True))
    assert (cells["Category"], cells["Category code"], cells["Status code"]) == ("Facility", "facility", "active")
    assert cells["Status"] == str(Status.ACTIVE.label) != "active"
    header, _row = _raw_csv(client.get("/programs/download.csv?q=내려받기언어"))
    assert (header[3], header[4]) == ("사업 유형", "사업 유형 코드")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "coded"),
    [
        ("/policies/download.csv", ("sector", "status", "core_values", "elected_terms")),
        ("/programs/download.csv", ("category", "status")),
        ("/programs/palbok-art-factory/budget.csv", ("funding_source",)),
        ("/programs/palbok-art-factory/figures.csv", ("unit", "kind", "attainment_status")),
        ("/indicators/visiting-organizations/download.csv", ("unit", "kind", "attainment_status")),
        ("/visits/download.csv", ("organization_kind", "region")),
    ],
)
def test_every_download_has_labels_in_both_languages_and_json_keeps_its_keys(client, palbok, url, coded):
    from portal.downloads import LICENCE_URL

    for prefix, language in (("", "ko"), ("/en", "en")):
        response = client.get(prefix + url)
        assert response["Link"] == f'<{LICENCE_URL}>; rel="license"'
        assert response["Content-Language"] == language
        rows = csv_records(response)  # the header is checked against the page's language
        assert rows
        data = json.loads(client.get(prefix + url.replace(".csv", ".json")).content)
        meta = data["metadata"]
        assert meta["language"] == language and meta["license"]["url"] == LICENCE_URL
        assert (
            meta["license"]["name"] == {"ko": "공공누리 제1유형: 출처표시", "en": "KOGL Type 1: attribution"}[language]
        )
        assert meta["extracted_at"].endswith("+09:00")
        csv_headers = [field["csv_header"] for field in meta["fields"]]
        assert csv_headers == _raw_csv(response)[0]
        for key in coded:
            # The JSON and the CSV give the same codes and labels.
            assert [(r[key], r[f"{key}_label"]) for r in rows] == [
                (str(r[key]), r[f"{key}_label"]) for r in data["results"]
            ]
            assert all(bool(r[f"{key}_label"]) == bool(r[key]) for r in rows), key  # a label for every code


@pytest.mark.django_db
def test_json_keeps_english_keys_and_codes_from_a_korean_page(client):
    VisitFactory(program=ProgramFactory(slug="dl-json"), organization=OrganizationFactory(region="gyeonggi"))
    data = json.loads(client.get("/visits/download.json?program=dl-json").content)
    record = data["results"][0]
    assert (record["region"], record["region_label"]) == ("gyeonggi", "경기")
    assert data["count"] == 1 and data["url"].endswith("/visits/download.json?program=dl-json")
    english = json.loads(client.get("/en/visits/download.json?program=dl-json").content)["results"][0]
    assert set(english) == set(record) and english["region_label"] == "Gyeonggi"


@pytest.mark.django_db
def test_times_are_in_korea_standard_time_and_dates_stay_iso(client):
    import datetime

    from visits.models import Visit

    visit = VisitFactory(program=ProgramFactory(slug="dl-time"), visited_on=datetime.date(2026, 12, 2))
    Visit.objects.filter(pk=visit.pk).update(recorded_at=datetime.datetime(2026, 12, 2, 1, 0, tzinfo=datetime.UTC))
    row = csv_records(client.get("/en/visits/download.csv?program=dl-time"))[0]
    assert row["recorded_at"] == "2026-12-02T10:00:00+09:00"
    assert row["visited_on"] == "2026-12-02"
    record = json.loads(client.get("/visits/download.json?program=dl-time").content)["results"][0]
    assert (record["recorded_at"], record["visited_on"]) == ("2026-12-02T10:00:00+09:00", "2026-12-02")


def test_the_formula_guard_covers_labels_and_headers():
    from portal.downloads import Column, json_chunks

    columns = [Column("code", "=header"), Column("kind", "+kind", lambda: {"evil": "@label", "ok": "좋음"})]
    rows = [["-1+1", "evil"], ["x", "ok"]]
    with translation.override("en"):
        text = csv_text(columns, rows)
    header, first, second = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert header == ["'=header", "'+kind", "'+kind code"]
    assert first == ["'-1+1", "'@label", "evil"]
    assert second == ["x", "좋음", "ok"]
    # JSON is no spreadsheet: its values stay as they are.
    data = json.loads(b"".join(json_chunks(columns, rows)))
    assert data["results"][0] == {"code": "-1+1", "kind": "evil", "kind_label": "@label"}


@pytest.mark.django_db
def test_the_download_box_names_the_licence_on_every_page_in_both_languages(client, palbok):
    from portal.downloads import LICENCE_URL

    for url in (
        "/policies/",
        "/programs/",
        "/programs/palbok-art-factory/",
        "/visits/",
        "/indicators/visiting-organizations/",
    ):
        for prefix, name in (("", "공공누리 제1유형: 출처표시"), ("/en", "KOGL Type 1: attribution")):
            body = client.get(prefix + url).content.decode()
            boxes = body.count('class="downloads"')
            assert boxes and body.count(f'<a href="{LICENCE_URL}" rel="license">{name}</a>') == boxes, prefix + url
