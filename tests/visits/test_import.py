"""The visit import (visits.importing, `manage.py import_visits`): visitor logs as offices save
them, organizations matched by their short forms or created with their kind and region, the
same visit never stored twice, and a file with any problem refused whole."""

import datetime
import html
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import ProgramFigures
from tests.factories import OrganizationFactory, ProgramFactory, SourceFactory, VisitFactory
from tests.staff import admin_url, staff_client
from visits.importing import import_visits, loose_key, read_date
from visits.models import Organization, Visit
from visits.resources import VisitResource

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    return ProgramFactory(slug="t-import-village", name_ko="시험 예술촌", name_en="Test Art Village")


@pytest.fixture
def busan():
    return Organization.objects.get(name_ko="부산광역시")  # from the seed


def csv(*lines: str, encoding="utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


KOREAN_HEADER = "사업,기관,기관 유형,지역,연도,방문일,인원,목적,출처"


def test_a_korean_visitor_log_creates_visits_and_new_organizations(program, busan):
    source = SourceFactory()
    data = csv(
        KOREAN_HEADER,
        f"시험 예술촌,부산광역시,,,2019,2019. 10. 21.,15명,도시재생 견학,{source.pk}",
        "t-import-village,시험 새 구청,지자체,경기,2019,,8,,",
    )
    outcome = import_visits(data, reason="test")
    assert outcome.ok, outcome.parsed.problems
    assert outcome.counts == {"created": 2, "updated": 0, "unchanged": 0}
    dated = Visit.objects.get(program=program, organization=busan)
    assert (dated.visited_on, dated.people, dated.purpose_ko, dated.source) == (
        datetime.date(2019, 10, 21),
        15,
        "도시재생 견학",
        source,
    )
    new = Organization.objects.get(name_ko="시험 새 구청")
    assert (new.kind, new.region, new.name) == ("local_government", "gyeonggi", "시험 새 구청")
    assert Visit.objects.get(organization=new).visited_on is None
    assert dated.history.get().history_change_reason == "test"
    assert new.history.count() == 1
    assert ProgramFigures.objects.get(program=program).visit_count == 2  # the figures follow


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "utf-16"])
def test_every_encoding_an_office_saves(program, busan, encoding):
    separator = "\t" if encoding == "utf-16" else ","
    data = csv(
        separator.join(["사업", "기관", "연도", "인원"]),
        separator.join(["시험 예술촌", "부산광역시", "2019", "12"]),
        encoding=encoding,
    )
    outcome = import_visits(data)
    assert outcome.ok, outcome.parsed.problems
    assert Visit.objects.get(program=program).people == 12


EXCEL_SERIAL = (datetime.date(2019, 10, 21) - datetime.date(1899, 12, 30)).days


@pytest.mark.parametrize(
    "text", ["2019-10-21", "2019.10.21", "2019. 10. 21.", "2019년 10월 21일", "2019/10/21", str(EXCEL_SERIAL)]
)
def test_the_date_forms_of_a_visitor_log(text):
    assert read_date(text) == datetime.date(2019, 10, 21)


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("부산시청", "부산광역시"),
        ("부산시", "부산광역시"),
        ("부산 광역시", "부산광역시"),
        ("국토부", "국토교통부"),
        ("제주도청", "제주특별자치도"),
        ("세종시", "세종특별자치시"),
    ],
)
def test_short_forms_of_korean_public_bodies_match_and_are_shown(program, written, stored):
    organization = Organization.objects.filter(name_ko=stored).first() or OrganizationFactory(name_ko=stored)
    outcome = import_visits(csv("program,organization,year", f"t-import-village,{written},2020"))
    assert outcome.ok, outcome.parsed.problems
    assert Visit.objects.get(program=program).organization == organization
    assert outcome.matched == {written: stored}
    assert not outcome.new_organizations
    assert loose_key(written) == loose_key(stored)


def test_an_exact_name_is_not_reported_as_matched(program, busan):
    outcome = import_visits(csv("program,organization,year", "t-import-village,Busan Metropolitan City,2020"))
    assert outcome.ok and outcome.matched == {}
    assert Visit.objects.get(program=program).organization == busan


def test_a_file_with_problems_is_refused_whole_with_each_line_and_column(program, busan):
    data = csv(
        KOREAN_HEADER,
        "시험 예술촌,부산광역시,,,2019,2019-10-21,15,,",  # good
        "없는 사업,부산광역시,,,2019,,,,",
        "시험 예술촌,새 기관,,,2019,,,,",  # new: kind and region missing
        "시험 예술촌,부산광역시,,,2019,2018-03-01,,,",  # the date is not in the year
        "시험 예술촌,부산광역시,,,2020,,0,,",  # no people
        "시험 예술촌,부산광역시,,,2021,," + ",가" * 0 + "," + "가" * 301 + ",",  # purpose too long
        "시험 예술촌,부산광역시,,,2019,2019-10-21,3,,",  # the same visit as line 2
    )
    with translation.override("ko"):
        outcome = import_visits(data)
        messages = [str(problem) for problem in outcome.parsed.problems]
    assert not outcome.ok
    assert not program.visits.exists() and not Organization.objects.filter(name_ko="새 기관").exists()
    assert any(m.startswith("3행 사업열") or ("3행" in m and "사업" in m) for m in messages), messages
    lines = {problem.line for problem in outcome.parsed.problems}
    assert lines == {3, 4, 5, 6, 7, 8}
    columns = {problem.column for problem in outcome.parsed.problems}
    assert {"사업", "기관 유형", "지역", "방문일", "인원", "목적"} <= columns
    assert any("2" in m and "8행" in m for m in messages)  # the duplicate names its first line


def test_the_same_visit_already_stored_is_left_unchanged_or_updated_never_added(program, busan):
    VisitFactory(program=program, organization=busan, year=2019, visited_on=datetime.date(2019, 10, 21), people=15)
    VisitFactory(program=program, organization=busan, year=2018, people=None)
    data = csv(
        "program,organization,year,date,people",
        "t-import-village,부산광역시,2019,2019-10-21,15",
        "t-import-village,부산시,2018,,20",
    )
    outcome = import_visits(data)
    assert outcome.ok, outcome.parsed.problems
    assert outcome.counts == {"created": 0, "updated": 1, "unchanged": 1}
    assert program.visits.count() == 2
    assert program.visits.get(year=2018).people == 20


def test_an_export_comes_back_unchanged(program, busan):
    VisitFactory(program=program, organization=busan, year=2019, visited_on=datetime.date(2019, 10, 21), people=15)
    VisitFactory(program=program, organization=busan, year=2017, purpose_ko="견학", purpose_en="Study tour")
    exported = VisitResource().export(program.visits.all()).csv.encode("utf-8-sig")
    outcome = import_visits(exported)
    assert outcome.ok, outcome.parsed.problems
    assert outcome.counts == {"created": 0, "updated": 0, "unchanged": 2}


def test_a_dry_run_counts_and_writes_nothing(program):
    outcome = import_visits(csv(KOREAN_HEADER, "시험 예술촌,새 기관,기타,서울,2019,,,,"), dry_run=True)
    assert outcome.ok and outcome.counts["created"] == 1
    assert list(outcome.new_organizations.values())[0].name == "새 기관"
    assert not program.visits.exists() and not Organization.objects.filter(name_ko="새 기관").exists()


def test_the_command_reports_matches_and_refuses_bad_files(program, busan, tmp_path):
    good = tmp_path / "visits.csv"
    good.write_bytes(csv("program,organization,year", "t-import-village,부산시청,2020"))
    out = io.StringIO()
    call_command("import_visits", str(good), "--dry-run", stdout=out)
    assert "부산시청 → 부산광역시" in out.getvalue() and "dry run" in out.getvalue()
    assert not program.visits.exists()
    call_command("import_visits", str(good), stdout=io.StringIO())
    assert program.visits.count() == 1

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv("program,organization,year", "t-import-village,부산시청,20x0"))
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_visits", str(bad), stdout=io.StringIO(), stderr=io.StringIO())


HEADERS = [
    ["program", "organization", "kind", "region", "year", "date", "people", "purpose"],
    ["사업", "기관", "연도"],
    ["program", "year"],  # a required column missing
]
CELLS = st.one_of(
    st.sampled_from(
        ["t-import-village", "부산광역시", "부산시청", "새 기관", "지자체", "경기", "2019", "2019-10-21", "43759"]
    ),
    st.sampled_from(["15명", "0", "-1", "=1+1", "", " ", "2019년 13월 1일", "9" * 30, "\x00", '"']),
    st.text(max_size=20),
)


@st.composite
def visitor_logs(draw) -> bytes:
    header = draw(st.sampled_from(HEADERS))
    body = draw(st.lists(st.lists(CELLS, min_size=len(header) - 1, max_size=len(header) + 1), max_size=6))
    text = "\r\n".join(",".join(line) for line in [header, *body])
    return text.encode(draw(st.sampled_from(["utf-8", "cp949", "utf-16"])), errors="replace")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=visitor_logs())
def test_any_file_is_imported_exactly_or_refused_whole(program, busan, data):
    last_organization = Organization.objects.order_by("pk").last().pk
    before = (Visit.objects.count(), Organization.objects.count())
    outcome = import_visits(data)
    after = (Visit.objects.count(), Organization.objects.count())
    if outcome.ok:
        assert after[0] - before[0] == outcome.counts["created"]
        assert after[1] - before[1] == len(outcome.new_organizations)
    else:
        assert after == before
        assert all(str(problem) for problem in outcome.parsed.problems)
    program.visits.all().delete()
    Organization.objects.filter(pk__gt=last_organization).delete()


def upload(client, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("방문대장.csv", data, content_type="text/csv")
    return client.post(admin_url(Visit, "import"), {"format": "0", "resource": "0", "import_file": file})


def test_the_admin_previews_a_visitor_log_in_korean_then_imports_it_on_confirm(program, busan):
    clerk, _user = staff_client("방문 기록 담당")
    data = csv(
        KOREAN_HEADER,
        "시험 예술촌,부산시청,,,2019,2019. 10. 21.,15,도시재생 견학,",
        "시험 예술촌,새 구청,지자체,경기,2019,,,,",
    )
    response = upload(clerk, data)
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "부산시청" in page and "부산광역시" in page and "새 구청" in page  # the matches and the new body
    assert not program.visits.exists()  # the preview writes nothing
    form = response.context["confirm_form"]
    confirmed = clerk.post(admin_url(Visit, "process_import"), {n: form[n].value() for n in form.fields})
    assert confirmed.status_code == 302
    assert program.visits.count() == 2
    assert program.visits.get(organization=busan).history.get().history_user == _user


def test_the_admin_lists_every_problem_of_a_refused_visitor_log(program):
    clerk, _user = staff_client("방문 기록 담당")
    response = upload(clerk, csv("사업,기관,연도,인원", "시험 예술촌,새 기관,2019,0명"))
    page = html.unescape(response.content.decode())
    assert response.status_code == 200 and not response.context.get("confirm_form")
    assert "2행 기관 유형열" in page and "2행 지역열" in page and "2행 인원열" in page
    assert not program.visits.exists()
