"""CSV/JSON downloads: BOM, formula escaping, same filters as the page."""

import csv
import io
import json
import unicodedata
from decimal import Decimal

import pytest
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
