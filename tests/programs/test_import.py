"""The yearly-metric CSV import: files as staff produce them, every kind of bad row, upsert,
history, the command, the admin's upload → preview → confirm, export round trip, size limit."""

import datetime
import html
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from policies.models import MAX_YEAR, MIN_YEAR
from programs.importing import import_metrics, parse_metrics
from programs.models import Unit, YearlyMetric
from tests.factories import IndicatorFactory, ProgramFactory, SourceFactory, YearlyMetricFactory
from tests.staff import admin_url, staff_client

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def objects():
    """The program and indicators the files in tests/programs/data name."""
    program = ProgramFactory(slug="test-gallery", name_ko="시험 미술관", name_en="Test Gallery")
    visitors = IndicatorFactory(
        code="test-visitors",
        name_ko="시험 방문 기관 수",
        name_en="Test visiting organizations",
        unit=Unit.ORGANIZATIONS,
    )
    share = IndicatorFactory(code="test-share", name_ko="시험 비율", name_en="Test share", unit=Unit.PERCENT)
    return program, visitors, share


def metrics(program):
    return {
        (m.indicator.code, m.year, m.kind): (m.value, m.as_of)
        for m in YearlyMetric.objects.filter(program=program).select_related("indicator")
    }


EXPECTED = {
    ("test-visitors", 2018, "actual"): (Decimal("84"), None),
    ("test-visitors", 2019, "actual"): (Decimal("1240"), datetime.date(2019, 10, 21)),
    ("test-visitors", 2020, "target"): (Decimal("100"), None),
    ("test-share", 2019, "actual"): (Decimal("-5.5"), None),
}


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter"),
    [
        ("good_utf8.csv", "utf-8", ","),
        ("good_utf8_bom_korean.csv", "utf-8-sig", ","),
        ("good_cp949_korean.csv", "cp949", ","),
        ("good_tab_korean.tsv", "utf-8", "\t"),
        ("good_utf16_tab_korean.txt", "utf-16", "\t"),
    ],
)
def test_good_files_in_every_encoding_and_separator_import_the_same_rows(objects, name, encoding, delimiter):
    program = objects[0]
    outcome = import_metrics((DATA / name).read_bytes())
    assert outcome.ok, [str(p) for p in outcome.parsed.problems]
    assert (outcome.parsed.encoding, outcome.parsed.delimiter) == (encoding, delimiter)
    assert outcome.counts == {"created": 4, "updated": 0, "unchanged": 0}
    assert metrics(program) == EXPECTED


def test_reimporting_the_same_file_changes_nothing(objects):
    program = objects[0]
    data = (DATA / "good_utf8_bom_korean.csv").read_bytes()
    import_metrics(data)
    history_count = YearlyMetric.history.count()
    before = metrics(program)
    outcome = import_metrics(data)
    assert outcome.counts == {"created": 0, "updated": 0, "unchanged": 4}
    assert metrics(program) == before
    assert YearlyMetric.history.count() == history_count


def test_import_upserts_on_program_indicator_year_kind_and_records_history(objects, django_user_model):
    program, visitors, _ = objects
    existing = YearlyMetricFactory(program=program, indicator=visitors, year=2018, value=80, note_ko="메모")
    user = django_user_model.objects.create_user("importer")
    outcome = import_metrics((DATA / "good_utf8.csv").read_bytes(), user_id=user.pk, reason="test import")
    assert outcome.counts == {"created": 3, "updated": 1, "unchanged": 0}
    existing.refresh_from_db()
    assert existing.value == 84
    assert existing.note_ko == "메모"  # columns the file does not carry are kept
    changed = existing.history.latest()
    assert (changed.history_type, changed.value, changed.history_user, changed.history_change_reason) == (
        "~",
        84,
        user,
        "test import",
    )
    assert changed.note_ko == "메모"
    assert changed.prev_record.value == 80
    created = YearlyMetric.objects.get(program=program, indicator=visitors, year=2019)
    record = created.history.get()
    assert (record.history_type, record.value, record.as_of) == ("+", 1240, datetime.date(2019, 10, 21))


def test_bad_rows_reject_the_whole_file_with_every_problem_by_line_and_column(objects):
    program, visitors, _ = objects
    YearlyMetricFactory(program=program, indicator=visitors, year=2010, value=7)
    before = metrics(program)
    history = YearlyMetric.history.count()
    outcome = import_metrics((DATA / "bad_rows.csv").read_bytes())
    assert not outcome.ok
    found = {(p.line, p.column) for p in outcome.parsed.problems}
    assert found == {
        (2, "program"),  # unknown program
        (3, "indicator"),  # unknown indicator
        (4, "year"),  # not a number
        (5, "value"),  # not a number
        (6, "value"),  # negative count
        (7, "year"),  # out of range
        (8, "as_of"),  # outside the year
        (9, "as_of"),  # not a real date
        (10, "kind"),  # neither actual nor target
        (11, "source"),  # no such source
        (13, ""),  # duplicate of line 12
        # an unquoted 1,240 makes one cell too many: 240 lands in kind, actual in as_of
        (14, "kind"),
        (14, "as_of"),
        (14, ""),
    }
    messages = {p.line: str(p) for p in outcome.parsed.problems}
    assert messages[13].startswith("line 13") and "line 12" in messages[13]
    assert "quotes" in messages[14]
    assert metrics(program) == before
    assert YearlyMetric.history.count() == history


def test_one_bad_row_among_good_ones_writes_nothing(objects):
    program = objects[0]
    good = (DATA / "good_utf8.csv").read_text()
    outcome = import_metrics((good + "test-gallery,test-visitors,2021,-1,actual,\n").encode())
    assert [(p.line, p.column) for p in outcome.parsed.problems] == [(8, "value")]
    assert metrics(program) == {}


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 5000])
def test_rows_read_in_batches_of_any_size_give_the_same_rows_and_problems(objects, monkeypatch, batch_rows):
    """The file is read a batch at a time; the caches and the duplicate check that batches
    share must not let a cell or a key through in one batch that another refuses."""
    from programs.importing import parse

    monkeypatch.setattr(parse, "BATCH_ROWS", batch_rows)
    good = (
        "program,indicator,year,value,kind,as_of\n"
        'test-gallery,test-visitors,2018,"1,240",actual,2018-06-30\n'
        "test-gallery,test-share,2018,-5,actual,\n"
        "시험 미술관,test-visitors,2019,84,실적,\n"
        "test-gallery,test-share,2019,-5,target,2019-01-01\n"
    )
    parsed = parse_metrics(good.encode())
    assert parsed.ok, [str(p) for p in parsed.problems]
    assert [tuple(r) for r in parsed.rows] == [tuple(r) for r in parse_metrics(good.encode()).rows]
    assert [(r.line, r.year, r.value, r.kind, r.as_of) for r in parsed.rows] == [
        (2, 2018, Decimal("1240"), "actual", datetime.date(2018, 6, 30)),
        (3, 2018, Decimal("-5"), "actual", None),
        (4, 2019, Decimal("84"), "actual", None),
        (5, 2019, Decimal("-5"), "target", datetime.date(2019, 1, 1)),
    ]
    bad = (
        "program,indicator,year,value,kind,as_of\n"
        "nowhere,test-visitors,2018,-5,actual,\n"  # read row by row: -5 is cached
        "test-gallery,test-share,2018,-5,actual,\n"  # a percentage: -5 is fine
        "test-gallery,test-visitors,2019,-5,actual,\n"  # a count: refused however it is read
        "test-gallery,test-visitors,2020,7,actual,2019-01-01\n"  # the date is outside the year
        "test-gallery,test-share,2018,9,actual,\n"  # the same key as line 3
    )
    problems = [(p.line, p.column) for p in parse_metrics(bad.encode()).problems]
    assert problems == [(2, "program"), (2, "value"), (4, "value"), (5, "as_of"), (6, "")]


def test_header_problems_are_reported_with_the_column_as_written(objects):
    outcome = import_metrics((DATA / "bad_header.csv").read_bytes())
    found = {(p.line, p.column) for p in outcome.parsed.problems}
    assert {(1, "indicater"), (1, "amount"), (1, "indicator"), (1, "value")} <= found


def test_korean_headers_name_the_column_in_errors(objects):
    data = "사업,지표,연도,값\n시험 미술관,시험 방문 기관 수,2019,많음\n".encode("cp949")
    outcome = import_metrics(data)
    assert [str(p) for p in outcome.parsed.problems] == [
        "line 2, column 값: 많음 is not a number"
        " (write 1240, 1,240 or 12.5; a value given as about so many as 576여, 약 576 or 500여 명)"
    ]


def test_a_file_in_no_known_encoding_is_refused(objects):
    outcome = import_metrics((DATA / "bad_encoding.csv").read_bytes())
    assert not outcome.ok
    assert "CP949" in str(outcome.parsed.problems[0])


def test_apostrophe_escaped_values_from_an_export_are_accepted(objects):
    program, _, share = objects
    data = "program,indicator,year,value,kind\ntest-gallery,test-share,2019,'-5,actual\n'=x,test-share,2018,1,actual\n"
    outcome = import_metrics(data.encode())
    # "'-5" is a number once the guard is taken off; "'=x" still names no program
    assert [(p.line, p.column) for p in outcome.parsed.problems] == [(3, "program")]
    outcome = import_metrics(data.splitlines(keepends=True)[0].encode() + data.splitlines(keepends=True)[1].encode())
    assert outcome.ok
    assert YearlyMetric.objects.get(program=program, indicator=share).value == Decimal("-5")


def test_source_column_takes_a_number_or_publisher_title_date(objects):
    program, visitors, _ = objects
    source = SourceFactory(
        publisher_ko="업코리아", publisher_en="UPKOREA", title_ko="전주를 배워라", published_on="2019-10-21", year=2019
    )
    data = (
        "program,indicator,year,value,source\n"
        f"test-gallery,test-visitors,2017,1,{source.pk}\n"
        "test-gallery,test-visitors,2018,1,UPKOREA|전주를 배워라|2019-10-21\n"
        "test-gallery,test-visitors,2019,1,업코리아 | 전주를 배워라 | 2019\n"
        "test-gallery,test-visitors,2020,1,업코리아|전주를 배워라\n"
        "test-gallery,test-visitors,2021,1,999999\n"
    )
    outcome = import_metrics(data.encode())
    assert [(p.line, p.column) for p in outcome.parsed.problems] == [(5, "source"), (6, "source")]
    outcome = import_metrics("\n".join(data.splitlines()[:4]).encode())
    assert outcome.ok
    assert set(YearlyMetric.objects.filter(program=program).values_list("source_id", flat=True)) == {source.pk}


@pytest.mark.parametrize(
    ("year", "value", "kind", "as_of", "field"),
    [
        ("2019", "-1", "actual", "", "value"),  # clean(): no negative count
        ("2019", "3", "actual", "2018-05-01", "as_of"),  # clean(): the date falls in the year
        (str(MIN_YEAR - 1), "3", "actual", "", "year"),  # the year's validator and CheckConstraint
        (str(MAX_YEAR + 1), "3", "actual", "", "year"),
        ("2019", "1.005", "actual", "", "value"),  # the DecimalField's two decimal places
        ("2019", "1" + "0" * 18, "actual", "", "value"),  # … and its 20 digits
        ("2019", "3", "maybe", "", "kind"),  # the kind's choices
    ],
)
def test_importer_and_model_clean_agree_on_the_rules(objects, year, value, kind, as_of, field):
    """The importer restates YearlyMetric's field checks, constraints and clean(); both must
    refuse the same rows, for the same column."""
    program, visitors, _ = objects
    metric = YearlyMetric(
        program=program, indicator=visitors, year=int(year), value=Decimal(value), kind=kind, as_of=as_of or None
    )
    with pytest.raises(ValidationError) as error:
        metric.full_clean()
    assert field in error.value.message_dict
    parsed = parse_metrics(
        f"program,indicator,year,value,kind,as_of\ntest-gallery,test-visitors,{year},{value},{kind},{as_of}\n".encode()
    )
    assert [p.column for p in parsed.problems] == [field]


def test_blank_and_header_only_files_are_refused(objects):
    assert not import_metrics(b"").ok
    assert not import_metrics(b"program,indicator,year,value\n\n").ok


# --- the command ---------------------------------------------------------------------------


def test_command_prints_counts_and_dry_run_writes_nothing(objects):
    program = objects[0]
    out = io.StringIO()
    call_command("import_metrics", str(DATA / "good_cp949_korean.csv"), "--dry-run", stdout=out)
    assert "created 4, updated 0, unchanged 0" in out.getvalue()
    assert "dry run" in out.getvalue()
    assert metrics(program) == {}
    call_command("import_metrics", str(DATA / "good_cp949_korean.csv"), stdout=io.StringIO())
    assert metrics(program) == EXPECTED


def test_command_rejects_a_bad_file_with_every_problem_and_a_non_zero_exit(objects):
    err = io.StringIO()
    with pytest.raises(CommandError, match="14 problem"):
        call_command("import_metrics", str(DATA / "bad_rows.csv"), stderr=err)
    lines = err.getvalue().splitlines()
    assert len(lines) == 14
    assert any(re.search(r"line 6, column value: a count or amount cannot be negative", line) for line in lines)


def test_command_exit_status_is_non_zero_on_rejection(objects):
    import subprocess
    import sys

    from django.conf import settings

    # pytest-django's test database is not visible to a child process, so a missing
    # column (caught before any lookup) is what makes the file bad here.
    bad = DATA / "bad_header.csv"
    result = subprocess.run(
        [sys.executable, "manage.py", "import_metrics", str(bad), "--dry-run"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DATABASE_URL": "sqlite:////tmp/jeonju-test-exit-status.sqlite3"},
    )
    assert result.returncode == 1
    assert "indicater" in result.stderr  # the message itself is in the site's language


def test_command_refuses_files_over_the_upload_limit_unless_told(objects, settings, tmp_path):
    settings.CSV_UPLOAD_MAX_BYTES = 100
    path = tmp_path / "big.csv"
    path.write_bytes((DATA / "good_utf8.csv").read_bytes())
    assert path.stat().st_size > 100
    with pytest.raises(CommandError, match="limit is 100 bytes"):
        call_command("import_metrics", str(path), stdout=io.StringIO())
    assert metrics(objects[0]) == {}
    call_command("import_metrics", str(path), "--max-bytes", "0", stdout=io.StringIO())
    assert metrics(objects[0]) == EXPECTED


# --- the admin: upload → preview → confirm ------------------------------------------------


def upload(client, content: bytes, name="metrics.csv"):
    return client.post(
        admin_url(YearlyMetric, "import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def test_admin_import_previews_then_writes_on_confirm(objects):
    program, visitors, _ = objects
    YearlyMetricFactory(program=program, indicator=visitors, year=2018, value=80)
    client, user = staff_client("예산·통계 담당")
    response = upload(client, (DATA / "good_cp949_korean.csv").read_bytes())
    assert response.status_code == 200
    assert response.context["result"].counts == {"created": 3, "updated": 1, "unchanged": 0}
    assert "80 → 84" in response.content.decode()
    assert metrics(program)[("test-visitors", 2018, "actual")][0] == 80  # preview writes nothing
    confirm = response.context["confirm_form"].initial
    response = client.post(admin_url(YearlyMetric, "process_import"), confirm)
    assert response.status_code == 302
    assert metrics(program) == EXPECTED
    assert YearlyMetric.objects.get(program=program, indicator=visitors, year=2019).history.get().history_user == user
    with translation.override("ko"):
        expected = "Import finished: %(created)s created, %(updated)s updated, %(unchanged)s unchanged."
        expected = translation.gettext(expected) % {"created": 3, "updated": 1, "unchanged": 0}
    assert [str(m) for m in response.wsgi_request._messages] == [expected]


def test_admin_import_lists_every_problem_and_offers_no_confirm(objects):
    client, _ = staff_client("예산·통계 담당")
    response = upload(client, (DATA / "bad_rows.csv").read_bytes())
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    problems = response.context["result"].problems
    assert len(problems) == 14
    page = html.unescape(response.content.decode())
    with translation.override("ko"):  # the admin speaks the site's default language
        assert all(str(problem) in page for problem in problems)
    assert metrics(objects[0]) == {}


def test_admin_refuses_an_upload_over_the_limit_before_reading_it(objects, settings):
    settings.CSV_UPLOAD_MAX_BYTES = 100
    client, _ = staff_client("예산·통계 담당")
    response = upload(client, (DATA / "good_utf8.csv").read_bytes())
    assert response.status_code == 200
    assert "result" not in response.context
    assert response.context["form"].has_error("import_file", "too_big")
    assert "100" in response.context["form"].errors["import_file"][0]


def test_admin_preview_of_ten_thousand_rows_lists_a_sample_and_counts_all(objects):
    lines = ["program,indicator,year,value,kind"]
    lines += [
        f"test-gallery,test-visitors,{1990 + i % 100},{i},{'actual' if i < 100 else 'target'}" for i in range(200)
    ]
    # 200 rows is enough to prove the listing is capped; the 10,000-row timing is in bench/.
    client, _ = staff_client("예산·통계 담당")
    from programs import resources

    old, resources.PREVIEW_ROWS = resources.PREVIEW_ROWS, 50
    try:
        response = upload(client, "\n".join(lines).encode())
    finally:
        resources.PREVIEW_ROWS = old
    assert response.context["result"].counts["created"] == 200
    assert len(response.context["result"].preview) == 50
    assert response.content.decode().count('<tr class="new">') == 50


def test_admin_preview_of_a_large_file_counts_every_row_lists_a_sample_in_bounded_queries(
    objects, django_assert_max_num_queries
):
    program, visitors, _ = objects
    indicators = [visitors] + [IndicatorFactory(code=f"test-count-{i}", unit=Unit.COUNT) for i in range(9)]
    keys = [(i, 1990 + y, kind) for i in range(10) for y in range(100) for kind in ("actual", "target")]
    assert len(keys) == 2000
    # 150 rows already hold the file's value, 150 another one; the other 1,700 are new.
    YearlyMetric.objects.bulk_create(
        YearlyMetric(
            program=program, indicator=indicators[i], year=year, kind=kind, value=n if n < 150 else n + 1, note=""
        )
        for n, (i, year, kind) in enumerate(keys[:300])
    )
    lines = ["program,indicator,year,value,kind"]
    lines += [f"test-gallery,{indicators[i].code},{year},{n},{kind}" for n, (i, year, kind) in enumerate(keys)]
    client, _ = staff_client("예산·통계 담당")
    client.get(admin_url(YearlyMetric, "import"))  # session, permissions and templates warmed up
    before = YearlyMetric.objects.count()
    with django_assert_max_num_queries(20):
        response = upload(client, "\n".join(lines).encode())
    assert response.status_code == 200
    result = response.context["result"]
    assert result.counts == {"created": 1700, "updated": 150, "unchanged": 150}
    assert [(g["import_type"], g["shown"], g["total"]) for g in result.preview_groups] == [
        ("new", 100, 1700),
        ("update", 100, 150),
        ("skip", 100, 150),
    ]
    page = response.content.decode()
    assert page.count('<tr class="new">') == page.count('<tr class="update">') == page.count('<tr class="skip">') == 100
    with translation.override("ko"):  # the admin speaks the site's default language
        showing = translation.gettext("Showing %(shown)s of %(total)s (the first in the file).")
    assert showing % {"shown": 100, "total": "1,700"} in page
    assert showing % {"shown": 100, "total": 150} in page
    assert "151 → 150" in page  # updated rows show old → new
    assert YearlyMetric.objects.count() == before  # the preview writes nothing


# --- export and round trip -----------------------------------------------------------------


def export(client, model, program):
    """Post the admin's export form as offered (all columns, CSV), for one program's rows."""
    url = admin_url(model, "export") + f"?program__id__exact={program.pk}"
    form = client.get(url).context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(url, {**data, "format": "0", "resource": "0"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv"), response.context["form"].errors
    return response


def test_export_reimports_with_no_change_and_escapes_formula_cells(objects):
    program, visitors, share = objects
    source = SourceFactory(
        publisher_ko="=HYPERLINK(1)", title_ko="전주를 배워라, 2019", published_on="2019-10-21", year=2019
    )
    YearlyMetricFactory(program=program, indicator=visitors, year=2019, value=92, as_of="2019-10-21", source=source)
    YearlyMetricFactory(program=program, indicator=share, year=2019, value=Decimal("-5.25"), kind="target")
    client, _ = staff_client("예산·통계 담당")
    response = export(client, YearlyMetric, program)
    assert response.status_code == 200
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0] == "program,indicator,year,value,kind,as_of,source,approximate"
    assert "'=HYPERLINK(1)|전주를 배워라, 2019|2019-10-21" in text
    assert "test-gallery,test-share,2019,-5.25,target,," in text
    before = metrics(program)
    outcome = import_metrics(content)
    assert outcome.ok, [str(p) for p in outcome.parsed.problems]
    assert outcome.counts["created"] == 0 and outcome.counts["updated"] == 0
    assert metrics(program) == before


@pytest.mark.parametrize(
    "publisher", ["\uff1dHYPERLINK(1)", "\uff0b82 63", "\u200b숨은 출판사", "\ufeff출판사", "＠출판사"]
)
def test_an_export_escaping_invisible_or_full_width_starts_reimports_unchanged(objects, publisher):
    program, visitors, _ = objects
    source = SourceFactory(publisher_ko=publisher, title_ko="제목", published_on="2019-10-21", year=2019)
    YearlyMetricFactory(program=program, indicator=visitors, year=2019, value=92, source=source)
    client, _ = staff_client("예산·통계 담당")
    content = export(client, YearlyMetric, program).content
    assert f"'{publisher}|제목|2019-10-21" in content.decode("utf-8-sig")
    before = metrics(program)
    outcome = import_metrics(content)
    assert outcome.ok, [str(p) for p in outcome.parsed.problems]
    assert outcome.counts["created"] == 0 and outcome.counts["updated"] == 0
    assert YearlyMetric.objects.get(program=program, indicator=visitors).source == source
    assert metrics(program) == before


def test_visits_and_budget_lines_export_as_csv(objects):
    from tests.factories import BudgetLineFactory, VisitFactory
    from visits.models import Visit

    program = objects[0]
    VisitFactory(program=program, organization__name_ko="+시험 기관")
    BudgetLineFactory(program=program, planned_amount=2_500_000_000)
    client, _ = staff_client(None)
    response = export(client, Visit, program)
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("program,organization,organization_en,year")
    assert "test-gallery,'+시험 기관" in text
    from programs.models import BudgetLine

    response = export(client, BudgetLine, program)
    assert "test-gallery,2020,2020,city,2500000000" in response.content.decode("utf-8-sig")
