"""The budget import (programs.importing.budget, `manage.py import_budget`): amounts as Korean
sheets write them, converted to won exactly; periods and funding sources in either language;
stored lines updated, never doubled; an executed amount over its plan a warning, not a refusal;
and a file with any problem refused whole."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import ProgramFigures
from programs.importing.budget import import_budget, read_amount, read_period
from programs.models import BudgetLine
from programs.resources import BudgetLineResource
from tests.factories import BudgetLineFactory, ProgramFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(slug="t-budget-lab", name_ko="시험 재생 사업", name_en="Test regeneration")


def csv(*lines: str, encoding="utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize(
    ("text", "unit", "won"),
    [
        ("1,234,000", 1, 1_234_000),
        ("1234000원", 1, 1_234_000),
        ("12억 3,400만", 1, 1_234_000_000),
        ("12억3400만원", 1, 1_234_000_000),
        ("5천만 원", 1, 50_000_000),
        ("1억 5천만", 1, 150_000_000),
        ("74억", 1, 7_400_000_000),
        ("1.5억", 1, 150_000_000),
        ("9,008억 원", 1, 900_800_000_000),
        ("1,234", 1000, 1_234_000),
        ("1,234.5", 1000, 1_234_500),
        ("37.5", 100_000_000, 3_750_000_000),
        ("0", 1, 0),
    ],
)
def test_amounts_as_korean_sheets_write_them_in_whole_won(text, unit, won):
    assert read_amount(text, unit) == won


@pytest.mark.parametrize("text", ["1,23,4", "12만 3억", "억", "12.5", "-5", "약 10억", "12억 3,400만", "1e9"])
def test_what_is_not_an_amount_is_said_so(text):
    unit = 1000 if text == "12억 3,400만" else 1  # a Korean amount in a (천원) column: which unit?
    assert isinstance(read_amount(text, unit), str)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2019", (2019, 2019)),
        ("2019년", (2019, 2019)),
        ("2017–2020", (2017, 2020)),
        ("2017~2020", (2017, 2020)),
        ("2017 - 2020", (2017, 2020)),
        ("", (None, None)),
    ],
)
def test_periods(text, period):
    assert read_period(text) == period


def test_a_korean_budget_sheet_with_units_in_its_headers(program):
    source = SourceFactory()
    data = csv(
        "사업,기간,재원,예산액(천원),집행액(천원),출처,비고",
        f'시험 재생 사업,2017~2020,국비,"3,750,000",,{source.pk},공모사업',
        't-budget-lab,2019,시비,"1,200","1,350",,',
    )
    outcome = import_budget(data, reason="test")
    assert outcome.ok, outcome.parsed.problems
    assert outcome.counts == {"created": 2, "updated": 0, "unchanged": 0}
    national = BudgetLine.objects.get(program=program, funding_source="national")
    assert (national.start_year, national.end_year, national.planned_amount, national.source) == (
        2017,
        2020,
        3_750_000_000,
        source,
    )
    assert national.note_ko == "공모사업" and national.history.get().history_change_reason == "test"
    city = BudgetLine.objects.get(program=program, funding_source="city")
    assert (city.planned_amount, city.executed_amount) == (1_200_000, 1_350_000)
    (warning,) = outcome.warnings  # over its plan: taken, with a warning
    assert warning.line == 3
    figures = ProgramFigures.objects.get(program=program)
    assert (figures.planned_total, figures.executed_total) == (3_751_200_000, 1_350_000)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp949", "utf-16"])
def test_every_encoding_and_a_unit_column(program, encoding):
    separator = "\t" if encoding == "utf-16" else ","
    lines = [["사업", "회계연도", "재원", "예산액", "단위"], ["t-budget-lab", "2020", "도비", "12", "억원"]]
    outcome = import_budget(csv(*(separator.join(line) for line in lines), encoding=encoding))
    assert outcome.ok, outcome.parsed.problems
    assert BudgetLine.objects.get(program=program).planned_amount == 1_200_000_000


def test_a_file_with_problems_is_refused_whole_with_each_line_and_column(program):
    data = csv(
        "사업,기간,재원,예산액,집행액",
        "t-budget-lab,2019,국비,1억,",  # good
        "없는 사업,2019,국비,1억,",
        "t-budget-lab,2020~2019,국비,1억,",
        "t-budget-lab,2019,외자,1억,",
        "t-budget-lab,2018,국비,,",
        "t-budget-lab,2017,국비,12만 3억,",
        "t-budget-lab,2019,national,2억,",  # the same line as line 2
    )
    with translation.override("ko"):
        outcome = import_budget(data)
        messages = [str(problem) for problem in outcome.parsed.problems]
    assert not outcome.ok and not BudgetLine.objects.filter(program=program).exists()
    assert {problem.line for problem in outcome.parsed.problems} == {3, 4, 5, 6, 7, 8}
    assert any(message.startswith("3행 사업열") for message in messages), messages
    assert any(message.startswith("5행 재원열") for message in messages), messages
    assert any(message.startswith("8행") and "2행" in message for message in messages), messages


def test_a_stored_line_is_updated_or_left_unchanged(program):
    BudgetLineFactory(program=program, start_year=2019, end_year=2019, funding_source="city", planned_amount=100)
    BudgetLineFactory(program=program, start_year=2020, end_year=2020, funding_source="city", planned_amount=100)
    data = csv("program,period,funding_source,planned", "t-budget-lab,2019,시비,100", "t-budget-lab,2020,시비,200")
    outcome = import_budget(data)
    assert outcome.ok and outcome.counts == {"created": 0, "updated": 1, "unchanged": 1}
    assert BudgetLine.objects.get(program=program, start_year=2020).planned_amount == 200
    assert BudgetLine.objects.filter(program=program).count() == 2


def test_an_export_comes_back_unchanged(program):
    BudgetLineFactory(program=program, start_year=2017, end_year=2020, funding_source="national", planned_amount=74)
    BudgetLineFactory(program=program, start_year=None, end_year=None, funding_source="unspecified", executed_amount=9)
    exported = BudgetLineResource().export(BudgetLine.objects.filter(program=program)).csv.encode("utf-8-sig")
    outcome = import_budget(exported)
    assert outcome.ok, outcome.parsed.problems
    assert outcome.counts == {"created": 0, "updated": 0, "unchanged": 2}


def test_the_command_warns_and_refuses(program, tmp_path):
    good = tmp_path / "budget.csv"
    good.write_bytes(csv("사업,기간,재원,예산액,집행액", "t-budget-lab,2019,시비,100,120"))
    out = io.StringIO()
    call_command("import_budget", str(good), stdout=out)
    assert "120" in out.getvalue() and "created 1" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv("사업,기간,재원,예산액", "t-budget-lab,2019,시비,백원"))
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_budget", str(bad), stdout=io.StringIO(), stderr=io.StringIO())


CELLS = st.one_of(
    st.sampled_from(["t-budget-lab", "2019", "2017~2020", "국비", "시비", "기타", "1,234,000", "12억 3,400만"]),
    st.sampled_from(["", " ", "=1+1", "-5", "1.5", "억", "9" * 25, "\x00", '"', "천원"]),
    st.text(max_size=15),
)
HEADERS = [
    ["program", "period", "funding_source", "planned", "executed"],
    ["사업", "기간", "재원", "예산액(천원)", "단위"],
    ["program", "planned"],  # a required column missing
]


@st.composite
def sheets(draw) -> bytes:
    header = draw(st.sampled_from(HEADERS))
    body = draw(st.lists(st.lists(CELLS, min_size=len(header) - 1, max_size=len(header) + 1), max_size=6))
    text = "\r\n".join(",".join(line) for line in [header, *body])
    return text.encode(draw(st.sampled_from(["utf-8", "cp949", "utf-16"])), errors="replace")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=sheets())
def test_any_sheet_is_imported_exactly_or_refused_whole(program, data):
    before = BudgetLine.objects.count()
    outcome = import_budget(data)
    if outcome.ok:
        assert BudgetLine.objects.count() - before == outcome.counts["created"]
    else:
        assert BudgetLine.objects.count() == before
        assert all(str(problem) for problem in outcome.parsed.problems)
    BudgetLine.objects.filter(program=program).delete()


def test_the_admin_previews_a_budget_sheet_with_its_warnings_then_imports_it(program):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.staff import admin_url, staff_client

    clerk, _user = staff_client("예산·통계 담당")
    data = csv("사업,기간,재원,예산액(천원),집행액(천원)", 't-budget-lab,2019,시비,"1,200","1,350"')
    file = SimpleUploadedFile("예산.csv", data, content_type="text/csv")
    response = clerk.post(admin_url(BudgetLine, "import"), {"format": "0", "resource": "0", "import_file": file})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="import-warnings"' in page and "1,350,000" in page
    assert not BudgetLine.objects.filter(program=program).exists()
    form = response.context["confirm_form"]
    assert (
        clerk.post(admin_url(BudgetLine, "process_import"), {n: form[n].value() for n in form.fields}).status_code
        == 302
    )
    line = BudgetLine.objects.get(program=program)
    assert (line.planned_amount, line.executed_amount) == (1_200_000, 1_350_000)
