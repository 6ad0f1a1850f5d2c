"""The metric import keeps what the sources say of a figure: approximate values (an `approximate`
column, or a value written the Korean-office way, "576여", "약 576") and the `partial` flag,
through both writers (the generic one, and PostgreSQL's COPY), history rows included."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from programs import importing
from programs.importing import import_metrics, parse_metrics
from programs.importing.write import BatchWriter
from programs.models import Indicator, Unit, YearlyMetric
from tests.factories import IndicatorFactory, ProgramFactory, YearlyMetricFactory

pytestmark = pytest.mark.django_db

HEADER = "program,indicator,year,value"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(params=["generic", "copy"])
def writer(request, monkeypatch):
    """Each test runs through the generic writer, and on PostgreSQL through COPY as well."""
    if request.param == "copy":
        if connection.vendor != "postgresql":
            pytest.skip("the COPY writer is PostgreSQL's")
    else:
        monkeypatch.setattr(importing, "writer_for_database", lambda **options: BatchWriter(**options))
    return request.param


@pytest.fixture
def jobs():
    program = ProgramFactory(slug="test-jobs")
    IndicatorFactory(code="test-jobs", unit=Unit.JOBS)
    IndicatorFactory(code="test-share", unit=Unit.PERCENT)
    return program


def stored(program):
    return {
        (m.indicator.code, m.year, m.kind): (m.value, m.approximate)
        for m in YearlyMetric.objects.filter(program=program).select_related("indicator")
    }


def parse_one(value: str, extra_header: str = "", extra: str = ""):
    return parse_metrics(f"{HEADER}{extra_header}\ntest-jobs,test-jobs,2019,{value}{extra}\n".encode())


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("576여", Decimal("576")),
        ("약 576", Decimal("576")),
        ("약576", Decimal("576")),
        ('"500여 명"', Decimal("500")),
        ('"1,600여건"', Decimal("1600")),
        ('"1,600 여 건"', Decimal("1600")),
        ("300여 개", Decimal("300")),
        ("10 정도", Decimal("10")),
        ("about 576", Decimal("576")),
        ("approx. 12.5", Decimal("12.5")),
        ("~576", Decimal("576")),
    ],
)
def test_a_value_written_as_about_so_many_is_read_as_its_number_and_marked_approximate(jobs, cell, value):
    parsed = parse_one(cell)
    assert parsed.ok, [str(p) for p in parsed.problems]
    [row] = parsed.rows
    assert (row.value, row.approximate) == (value, True)
    assert type(row.value) is Decimal  # the stored number, not the reader's marker


def test_plain_values_are_not_approximate(jobs):
    parsed = parse_metrics(f'{HEADER}\ntest-jobs,test-jobs,2019,576\ntest-jobs,test-jobs,2020,"1,240"\n'.encode())
    assert [(r.value, r.approximate) for r in parsed.rows] == [(576, False), (1240, False)]


@pytest.mark.parametrize(
    ("cell", "said"),
    [
        ("576명", "576여, 약 576 or 500여 명"),  # a counter, but nothing says about
        ("많음", "576여, 약 576 or 500여 명"),
        ("약", "576여, 약 576 or 500여 명"),
        ("576여 명 이상", "576여, 약 576 or 500여 명"),
        ('"400만원 정도"', "write the whole number"),
        ("10억 정도", "write the whole number"),
        ("약 1.005", "more than two decimal places"),
    ],
)
def test_a_value_that_is_no_number_says_what_is_accepted(jobs, cell, said):
    parsed = parse_one(cell)
    [problem] = parsed.problems
    assert problem.column == "value"
    assert said in problem.message


def test_an_approximate_negative_count_is_refused_like_an_exact_one(jobs):
    parsed = parse_one("약 -5")
    assert [(p.column, "cannot be negative" in p.message) for p in parsed.problems] == [("value", True)]
    share = parse_metrics(f"{HEADER}\ntest-jobs,test-share,2019,약 -5\n".encode())
    assert share.ok and share.rows[0].approximate


@pytest.mark.parametrize(
    ("word", "flag"),
    [
        ("yes", True),
        ("YES", True),
        ("true", True),
        ("1", True),
        ("예", True),
        ("no", False),
        ("false", False),
        ("0", False),
        ("아니오", False),
        ("", False),
    ],
)
@pytest.mark.parametrize("header", ["approximate", "약", "근사"])
def test_the_approximate_column_takes_yes_and_no_in_both_languages(jobs, header, word, flag):
    parsed = parse_one("576", f",{header}", f",{word}")
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert parsed.rows[0].approximate is flag


def test_the_approximate_column_refuses_other_words_and_a_no_the_value_contradicts(jobs):
    parsed = parse_one("576", ",approximate", ",maybe")
    assert [(p.column, p.message) for p in parsed.problems] == [("approximate", "maybe is not yes/no (예/아니오)")]
    parsed = parse_one("576여", ",약", ",아니오")
    [problem] = parsed.problems
    assert problem.column == "약" and "says about" in problem.message
    # Blank, or yes, agrees with a value that says about.
    assert parse_one("576여", ",약", ",").rows[0].approximate
    assert parse_one("576여", ",약", ",예").rows[0].approximate


def test_import_writes_the_flag_and_updates_it_with_its_history(jobs, writer):
    outcome = import_metrics(
        f"{HEADER},approximate\ntest-jobs,test-jobs,2019,576여,\ntest-jobs,test-jobs,2020,300,yes\n"
        "test-jobs,test-jobs,2021,12,no\n".encode()
    )
    assert outcome.ok and outcome.counts["created"] == 3
    assert stored(jobs) == {
        ("test-jobs", 2019, "actual"): (576, True),
        ("test-jobs", 2020, "actual"): (300, True),
        ("test-jobs", 2021, "actual"): (12, False),
    }
    assert [h.approximate for h in YearlyMetric.history.filter(year__in=[2019, 2020, 2021]).order_by("year")] == [
        True,
        True,
        False,
    ]
    # The same value with only the flag changed is an update, written with its history row.
    outcome = import_metrics(f"{HEADER},approximate\ntest-jobs,test-jobs,2019,576,no\n".encode())
    assert outcome.counts == {"created": 0, "updated": 1, "unchanged": 0}
    metric = YearlyMetric.objects.get(program=jobs, year=2019)
    assert not metric.approximate
    latest = metric.history.latest()
    assert (latest.history_type, latest.approximate, latest.prev_record.approximate) == ("~", False, True)
    # And the same file again changes nothing.
    outcome = import_metrics(f"{HEADER},approximate\ntest-jobs,test-jobs,2019,576,no\n".encode())
    assert outcome.counts == {"created": 0, "updated": 0, "unchanged": 1}


def test_a_file_without_the_column_keeps_the_stored_flags_and_notes(jobs, writer):
    indicator = Indicator.objects.get(code="test-jobs")
    approximate = YearlyMetricFactory(program=jobs, indicator=indicator, year=2019, value=576, approximate=True)
    partial = YearlyMetricFactory(
        program=jobs, indicator=indicator, year=2021, value=130, partial=True, note_ko="22일 기준", note_en="the 22nd"
    )
    outcome = import_metrics(
        f"{HEADER}\ntest-jobs,test-jobs,2019,580\ntest-jobs,test-jobs,2021,140\ntest-jobs,test-jobs,2022,9\n".encode()
    )
    assert outcome.counts == {"created": 1, "updated": 2, "unchanged": 0}
    approximate.refresh_from_db()
    partial.refresh_from_db()
    assert (approximate.value, approximate.approximate, approximate.partial) == (580, True, False)
    assert (partial.value, partial.approximate, partial.partial, partial.note_ko) == (140, False, True, "22일 기준")
    # The history rows the import wrote carry the stored flags and notes.
    for metric in (approximate, partial):
        latest = metric.history.latest()
        assert latest.history_type == "~"
        assert (latest.approximate, latest.partial, latest.note_ko, latest.note_en) == (
            metric.approximate,
            metric.partial,
            metric.note_ko,
            metric.note_en,
        )
    created = YearlyMetric.objects.get(program=jobs, year=2022)
    assert (created.approximate, created.partial) == (False, False)
    assert (created.history.get().approximate, created.history.get().partial) == (False, False)


def test_a_value_that_says_about_marks_a_stored_exact_row_approximate_without_the_column(jobs, writer):
    indicator = Indicator.objects.get(code="test-jobs")
    metric = YearlyMetricFactory(program=jobs, indicator=indicator, year=2019, value=576)
    outcome = import_metrics(f"{HEADER}\ntest-jobs,test-jobs,2019,576여\n".encode())
    assert outcome.counts == {"created": 0, "updated": 1, "unchanged": 0}
    metric.refresh_from_db()
    assert metric.approximate
    assert metric.history.latest().approximate


def test_an_as_of_date_imported_for_a_partial_row_keeps_it_partial(jobs, writer):
    indicator = Indicator.objects.get(code="test-jobs")
    metric = YearlyMetricFactory(program=jobs, indicator=indicator, year=2021, value=130, partial=True, note_ko="22일")
    import_metrics(f"{HEADER},as_of\ntest-jobs,test-jobs,2021,130,2021-01-22\n".encode())
    metric.refresh_from_db()
    assert (metric.as_of, metric.partial, metric.is_partial) == (datetime.date(2021, 1, 22), True, True)
    metric.full_clean()


def test_admin_export_writes_the_flag_and_reimports_unchanged(jobs):
    from tests.programs.test_import import export
    from tests.staff import staff_client

    indicator = Indicator.objects.get(code="test-jobs")
    YearlyMetricFactory(program=jobs, indicator=indicator, year=2019, value=576, approximate=True)
    YearlyMetricFactory(program=jobs, indicator=indicator, year=2020, value=600)
    client, _ = staff_client("예산·통계 담당")
    content = export(client, YearlyMetric, jobs).content
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",approximate")
    assert "test-jobs,test-jobs,2019,576,actual,,,yes" in lines
    assert "test-jobs,test-jobs,2020,600,actual,,,no" in lines
    outcome = import_metrics(content)
    assert outcome.counts == {"created": 0, "updated": 0, "unchanged": 2}


def test_admin_preview_shows_the_flag_changing(jobs):
    from tests.programs.test_import import upload
    from tests.staff import staff_client

    indicator = Indicator.objects.get(code="test-jobs")
    YearlyMetricFactory(program=jobs, indicator=indicator, year=2019, value=576)
    client, _ = staff_client("예산·통계 담당")
    response = upload(client, f"{HEADER}\ntest-jobs,test-jobs,2019,576여\n".encode())
    assert response.context["result"].counts == {"created": 0, "updated": 1, "unchanged": 0}
    assert "no → yes" in response.content.decode()
