"""Approximate and partial values say so wherever they appear (charts, tables, notes, CSV and
JSON downloads), in both languages, and every unit reads after its number ("246대", "246 vehicles")."""

import datetime
import html
import json
import re
from decimal import Decimal

import pytest
from django.utils import translation

from portal import charts, downloads
from portal.views.programs import ProgramFiguresDownloadView
from programs.models import Indicator, Program, Unit, YearlyMetric
from tests.csv_records import csv_records
from tests.factories import IndicatorFactory, ProgramFactory, YearlyMetricFactory

pytestmark = pytest.mark.django_db


def chart_rows(response, indicator_code):
    """The data table of the program page's chart of one indicator, {year: row}."""
    for item in response.context["indicators"]:
        if item["indicator"].code == indicator_code:
            return {row[0]: row[1:] for row in item["chart"].rows}
    raise AssertionError(f"no chart of {indicator_code}")


def visible(response) -> str:
    """The page's text, markup and pictures taken out."""
    body = re.sub(r"<svg.*?</svg>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


# --- the seed ---------------------------------------------------------------------------------


def test_the_seed_marks_the_values_the_sources_give_as_about_and_the_undated_partial_ones():
    approximate = YearlyMetric.objects.filter(approximate=True)
    assert sorted((m.indicator.code, m.value) for m in approximate) == [
        ("daily-visitors", Decimal("500")),  # 하루 평균 500여명
        ("public-jobs", Decimal("760")),  # 760여 개
        ("self-sufficiency-jobs", Decimal("576")),  # 576여명
        ("tailored-jobs", Decimal("300")),  # 300여 개
    ]
    undated = YearlyMetric.objects.filter(partial=True)
    assert sorted(m.pk for m in undated) == [19, 20, 21]  # Source E's gift-card figures
    assert all(m.as_of is None and m.is_partial and m.note_ko and m.note_en for m in undated)
    for metric in YearlyMetric.objects.all():
        metric.full_clean()


def test_the_seed_indicators_count_in_their_own_units():
    units = dict(Indicator.objects.values_list("code", "unit"))
    assert units["hydrogen-cars"] == Unit.VEHICLES
    assert units["self-sufficiency-workplaces"] == Unit.WORKPLACES
    assert units["ondure-communities"] == units["apartment-communities"] == Unit.COMMUNITIES
    assert units["one-stop-care-windows"] == Unit.NEIGHBORHOODS
    assert units["donor-merchants"] == Unit.MERCHANTS
    assert Unit.COUNT not in units.values()


@pytest.mark.parametrize(
    ("prefix", "jobs", "label", "hydrogen", "workplaces"),
    [
        ("", "약 576개 일자리 *", ">약 576*<", "246대", "83개 사업장 *"),
        ("/en", "about 576 jobs *", ">about 576*<", "246 vehicles", "83 workplaces *"),
    ],
)
def test_program_pages_charts_say_about_and_give_units(client, prefix, jobs, label, hydrogen, workplaces):
    response = client.get(f"{prefix}/programs/self-sufficiency-work/")
    assert chart_rows(response, "self-sufficiency-jobs")["2019"][0] == jobs
    assert chart_rows(response, "self-sufficiency-workplaces")["2019"][0] == workplaces
    chart = next(i["chart"] for i in response.context["indicators"] if i["indicator"].code == "self-sufficiency-jobs")
    assert label in str(chart.svg)  # the bar's label
    assert jobs.removesuffix(" *") in chart.description  # the text alternative
    response = client.get(f"{prefix}/programs/hydrogen-economy/")
    assert chart_rows(response, "hydrogen-cars")["2021"][1].startswith(hydrogen)
    assert not re.search(r"\d count\b", visible(response))


def test_program_page_targets_given_as_about_say_so(client):
    with translation.override("ko"):
        rows = chart_rows(client.get("/programs/public-and-tailored-jobs/"), "public-jobs")
    assert rows["2021"][1] == "약 760개 일자리 (760여 개 (계획))"
    rows = chart_rows(client.get("/en/programs/public-and-tailored-jobs/"), "tailored-jobs")
    assert rows["2021"][1] == "about 300 jobs (about 300 (planned))"


@pytest.mark.parametrize(
    ("prefix", "day"),
    [("", "22일 기준 (월은 기사에 없음)"), ("/en", "as of the 22nd (the month is not given)")],
)
def test_partial_values_without_a_date_carry_the_day_the_source_gives(client, prefix, day):
    response = client.get(f"{prefix}/programs/gift-card-donations/")
    for code in ("cashback-donors", "cashback-donations"):
        value, note = chart_rows(response, code)["2021"]
        assert value.endswith(" *")  # marked partial, as a dated partial value is
        assert note == day
    assert response.context["indicators"][0]["chart"].footnote
    merchants = chart_rows(response, "donor-merchants")["2021"]
    assert merchants[0].endswith(" *") and merchants[0].startswith(("89개 가맹점", "89 merchants"))


@pytest.mark.parametrize(
    ("prefix", "as_of", "note"),
    [
        ("", "2019.\u00a010.\u00a021. 기준", "올해 현재까지 (기사 기준일)"),
        ("/en", "as of 21\u00a0Oct\u00a02019", "so far this year (the article's date)"),
    ],
)
def test_partial_values_carry_their_as_of_in_words_and_their_note(client, prefix, as_of, note):
    response = client.get(f"{prefix}/programs/palbok-art-factory/")
    assert chart_rows(response, "visiting-organizations")["2019"][1] == f"{as_of} · {note}"
    body = response.content.decode()
    # The visits table and its sentence, beside the count.
    note_html = html.escape(note)
    assert (
        f'<strong>92</strong> <span class="partial">({as_of})</span> <span class="metric-note">{note_html}</span>'
        in body
    )
    assert f", {as_of.replace(chr(0xA0), ' ')}." in visible(response)  # visible() reads no-break spaces as spaces


def test_the_first_half_of_a_year_reads_as_such(client):
    response = client.get("/programs/financial-welfare-counseling-center/")
    assert chart_rows(response, "financial-counseling-cases")["2019"][1].startswith("2019년 상반기 기준 · ")
    response = client.get("/en/programs/financial-welfare-counseling-center/")
    value, note = chart_rows(response, "financial-counseling-cases")["2019"]
    assert value == "1,240 cases *" and note.startswith("first half of 2019 · ")


@pytest.mark.parametrize(("prefix", "about"), [("", "약 576"), ("/en", "about 576")])
def test_indicator_page_tables_and_charts_say_about(client, prefix, about):
    response = client.get(f"{prefix}/indicators/self-sufficiency-jobs/")
    body = response.content.decode()
    assert re.search(rf'<td class="numeric">{about} <span class="partial">\(', body)
    by_program = response.context["by_program_chart"]
    assert by_program.rows[0][1].startswith(f"{about}")
    total = response.context["total_chart"]
    assert total.rows[0][1].startswith(f"{about}")  # a sum of an approximate value is approximate


def test_indicator_page_shows_a_partial_value_without_a_date_with_its_note(client):
    body = client.get("/en/indicators/cashback-donors/").content.decode()
    assert '130 <span class="partial">(as of the 22nd (the month is not given))</span>' in body
    total = client.get("/en/indicators/cashback-donors/").context["total_chart"]
    assert total.rows[0][1] == "130 people *"  # the year's total includes a partial value


def test_home_most_visited_chart_notes_as_of_in_words(client):
    chart = client.get("/en/").context["most_visited_chart"]
    column = chart.columns.index("Palbok Art Factory")
    row = next(row for row in chart.rows if row[0] == "2019")
    assert row[column] == "92 organizations * (as of 21\u00a0Oct\u00a02019 · so far this year (the article's date))"


# --- downloads --------------------------------------------------------------------------------


OLD_FIGURE_COLUMNS = ProgramFiguresDownloadView.download_fields[:-5]


def test_program_figures_csv_and_json_add_approximate_and_partial_at_the_end(client):
    assert [c.key for c in ProgramFiguresDownloadView.download_fields[-5:-3]] == ["approximate", "partial"]
    response = client.get("/programs/self-sufficiency-work/figures.csv")
    text = response.content.decode("utf-8")
    rows = csv_records(response)
    jobs = next(r for r in rows if r["indicator"] == "self-sufficiency-jobs")
    assert (jobs["value"], jobs["approximate"], jobs["partial"], jobs["as_of"]) == ("576", "true", "true", "2019-07-17")
    # The columns there were before are written byte for byte as before.
    program = Program.objects.get(slug="self-sufficiency-work")
    before = downloads.csv_text(OLD_FIGURE_COLUMNS, [row[:-5] for row in ProgramFiguresDownloadView().rows(program)])
    new_lines, old_lines = text.split("\r\n"), before.split("\r\n")
    assert len(new_lines) == len(old_lines)
    for new, old in zip(new_lines, old_lines, strict=True):
        assert new == old == "" or new.startswith(old + ",")
    data = json.loads(client.get("/programs/gift-card-donations/figures.json").content)
    assert {r["indicator"]: (r["approximate"], r["partial"], r["as_of"]) for r in data["results"]} == {
        "donor-merchants": (False, True, None),
        "cashback-donors": (False, True, None),
        "cashback-donations": (False, True, None),
    }


def test_indicator_downloads_carry_approximate_and_partial(client):
    rows = csv_records(client.get("/indicators/daily-visitors/download.csv"))
    # Before the target, the share and the status (its label and code).
    assert list(rows[0])[-6:-4] == ["approximate", "partial"]
    assert (rows[0]["value"], rows[0]["approximate"], rows[0]["partial"]) == ("500", "true", "true")
    data = json.loads(client.get("/indicators/visiting-organizations/download.json").content)
    palbok = {
        r["year"]: (r["approximate"], r["partial"])
        for r in data["results"]
        if r["program_slug"] == "palbok-art-factory"
    }
    assert palbok == {2018: (False, False), 2019: (False, True)}


def test_a_streamed_download_writes_the_flags_as_the_plain_one_does():
    rows = [["a", 1, True, False], ["b", 2, False, True]]
    streamed = b"".join(downloads.csv_chunks(["x", "n", "approximate", "partial"], rows)).decode()
    assert streamed == downloads.csv_text(["x", "n", "approximate", "partial"], rows)
    assert streamed.splitlines()[1:] == ["a,1,true,false", "b,2,false,true"]


# --- generated data ---------------------------------------------------------------------------


@pytest.fixture
def generated():
    """A program with an approximate value, a dated partial one, an undated partial one and an
    approximate target, in an indicator counted in plain numbers."""
    program = ProgramFactory(slug="gen-qualified", name_ko="생성 사업", name_en="Generated program")
    indicator = IndicatorFactory(code="gen-count", unit=Unit.COUNT, name_ko="생성 지표", name_en="Generated count")
    YearlyMetricFactory(program=program, indicator=indicator, year=2018, value=60, approximate=True)
    YearlyMetricFactory(
        program=program,
        indicator=indicator,
        year=2019,
        value=70,
        as_of=datetime.date(2019, 9, 1),
        note_ko="메모",
        note_en="a note",
    )
    YearlyMetricFactory(
        program=program, indicator=indicator, year=2020, value=80, partial=True, note_ko="5일 기준", note_en="the 5th"
    )
    YearlyMetricFactory(program=program, indicator=indicator, year=2020, value=90, kind="target", approximate=True)
    return program


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (
            "",
            {
                "2018": ["약 60개", ""],
                "2019": ["70개 *", "", "2019.\u00a09.\u00a01. 기준 · 메모"],
                "2020": ["80개 *", "약 90개", "5일 기준"],
            },
        ),
        (
            "/en",
            {
                "2018": ["about 60", ""],
                "2019": ["70 *", "", "as of 1\u00a0Sep\u00a02019 · a note"],
                "2020": ["80 *", "about 90", "the 5th"],
            },
        ),
    ],
)
def test_generated_values_read_with_their_qualifiers_in_both_languages(client, generated, prefix, expected):
    response = client.get(f"{prefix}/programs/gen-qualified/")
    rows = chart_rows(response, "gen-count")
    assert rows["2018"][0] == expected["2018"][0]
    assert rows["2019"][0] == expected["2019"][0] and rows["2019"][2] == expected["2019"][2]
    assert rows["2020"][0] == expected["2020"][0] and rows["2020"][1] == expected["2020"][1]
    assert rows["2020"][2] == expected["2020"][2]
    assert "count" not in " ".join(" ".join(row) for row in rows.values())


def test_generated_values_in_the_indicator_page_line_chart_and_table(client, generated):
    response = client.get("/en/indicators/gen-count/")
    rows = {row[0]: row[1] for row in response.context["by_program_chart"].rows}
    assert rows == {
        "2018": "about 60",
        "2019": "70 * (as of 1\u00a0Sep\u00a02019 · a note)",
        "2020": "80 * (the 5th)",
    }
    assert "about 60" in str(response.context["by_program_chart"].svg)  # the text alternative
    body = response.content.decode()
    assert '<td class="numeric">about 60 ' in body
    assert "target about 90" in body
    assert '80 <span class="partial">(the 5th)</span>' in body


def test_a_korean_note_shown_on_an_english_page_is_marked_korean(client, generated):
    YearlyMetric.objects.filter(year=2020, kind="actual").update(note_en="")
    body = client.get("/en/indicators/gen-count/").content.decode()
    assert '80 <span class="partial" lang="ko">(5일 기준)</span>' in body


def test_charts_of_generated_points_and_series():
    with translation.override("en"):
        chart = charts.bar_chart(
            [
                charts.Point("2019", 576, approximate=True, partial=True, note="as of 17 July 2019"),
                charts.Point("2020", None, target=760, target_approximate=True, target_note="planned"),
            ],
            title="Jobs",
            unit="jobs",
        )
        assert chart.rows == [
            ["2019", "about 576 jobs *", "–", "as of 17 July 2019"],
            ["2020", "–", "about 760 jobs (planned)", ""],
        ]
        assert ">about 576*<" in str(chart.svg)
        assert "2019: about 576 jobs (as of 17 July 2019)" in chart.description
        assert "target about 760 jobs (planned)" in chart.description
        series = charts.Series("A", {"2019": 576}, {"2019": "as of 17 July 2019"}, {"2019"}, {"2019": "a note"})
        line = charts.line_chart(["2019"], [series], title="Jobs", unit="jobs")
        assert line.rows == [["2019", "about 576 jobs * (as of 17 July 2019 · a note)"]]
    with translation.override("ko"):
        assert charts.with_unit(576, "개 일자리", approximate=True) == "약 576개 일자리"
        assert charts.with_unit(5_000_000_000, "원", approximate=True) == "약 5,000,000,000원"
