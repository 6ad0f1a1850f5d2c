"""On PostgreSQL the visit download's CSV lines are written by the database (jeonju.csvsql):
byte for byte what the generic Python writer gives, whatever the text holds, in the page's order,
streamed past STREAM_AFTER_ROWS."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory

from portal import csvsql, downloads
from portal.filters import VisitFilter
from portal.views.home import DownloadableFilterView
from portal.views.visits import VisitListView
from tests.factories import OrganizationFactory, ProgramFactory, SourceFactory, VisitFactory
from visits.models import Visit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the database writes CSV on PostgreSQL only"),
]

TRICKY = [
    "쉼표, 있는 기관",
    'quote " inside',
    "two\nlines",
    "carriage\rreturn",
    "=1+2",
    "+82 63",
    "-minus",
    "@handle",
    "\ttab first",
    "trailing space ",
    " =leading space",
    "\nline feed first",
    "\u200b=zero width",
    "\ufeff=byte-order mark",
    "\u3000=ideographic space",
    "\uff1dfull-width equals",
    "\uff0b82 63",
    "\uff0dminus",
    "\uff20handle",
    "",
]


def python_cell(value: str) -> str:
    """One cell as the Python writer writes it (escaped and quoted)."""
    return downloads.csv_text(["c"], [[value, ""]]).split("\r\n")[1].removesuffix(",")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def both(query: dict) -> tuple[bytes, bytes]:
    view = VisitListView()
    view.request = RequestFactory().get("/visits/download.csv", query)
    view.kwargs = {"format": "csv"}
    queryset = VisitFilter(query, queryset=view.get_queryset()).qs
    fast = view.download("csv", queryset)
    generic = DownloadableFilterView.download(view, "csv", queryset)
    return body(fast), body(generic)


@pytest.fixture
def tricky_visits():
    program = ProgramFactory(slug="csv-sql", name_ko="=SUM(A1)", name_en="")
    source = SourceFactory(
        publisher_ko='기관, "따옴표"', title_ko="제목\n둘째 줄", published_on=datetime.date(2020, 1, 2)
    )
    for n, text in enumerate(TRICKY):
        organization = OrganizationFactory(name_ko=text or "이름", name_en=text, municipality_ko=text)
        visit = VisitFactory(
            program=program,
            organization=organization,
            year=2015 + n % 4,
            visited_on=datetime.date(2015 + n % 4, 1 + n % 12, 1) if n % 3 else None,
            people=n if n % 2 else None,
            purpose_ko=text,
            source=source if n % 2 else None,
        )
        # Whole seconds and microseconds both.
        Visit.objects.filter(pk=visit.pk).update(
            recorded_at=datetime.datetime(2024, 5, 1, 10, n, 7, 123456 * (n % 2), tzinfo=datetime.UTC)
        )
    return program


def test_the_database_writes_the_same_bytes_as_python(client, tricky_visits):
    fast, generic = both({"program": "csv-sql"})
    assert fast == generic
    assert fast.count(b"\r\n") >= len(TRICKY) + 1
    assert b"'=SUM(A1)" in fast and b'"quote "" inside"' in fast
    for text in TRICKY[TRICKY.index(" =leading space") :]:
        if text:
            assert downloads.escape_csv_cell(text) == "'" + text
            assert python_cell("'" + text).encode() in fast, text
    # The same file through the public URL, as the page lists the visits.
    response = client.get("/visits/download.csv?program=csv-sql")
    assert body(response) == generic
    listed = [v.organization.name_ko for v in client.get("/visits/?program=csv-sql").context["visits"]]
    assert len(listed) == len(TRICKY)


def test_every_filter_and_the_empty_download(tricky_visits):
    for query in ({"program": "csv-sql", "year": "2016"}, {"q": "quote"}, {"year": "1999"}, {}):
        fast, generic = both(query)
        assert fast == generic, query


def test_a_long_download_is_streamed_with_the_same_bytes(tricky_visits, monkeypatch):
    monkeypatch.setattr(downloads, "STREAM_AFTER_ROWS", 3)
    monkeypatch.setattr(csvsql, "FETCH_ROWS", 2)
    view = VisitListView()
    view.request = RequestFactory().get("/visits/download.csv", {"program": "csv-sql"})
    queryset = VisitFilter({"program": "csv-sql"}, queryset=view.get_queryset()).qs
    response = view.download("csv", queryset)
    assert response.streaming
    assert body(response) == body(DownloadableFilterView.download(view, "csv", queryset))


def test_only_known_columns_reach_the_sql():
    with pytest.raises(ValueError):
        csvsql.csv_lines_query(Visit.objects.all(), [("year; DROP TABLE x", "int")])
    with pytest.raises(ValueError):
        csvsql.csv_lines_query(Visit.objects.all(), [("year", "money")])


def test_the_sql_escapes_exactly_the_cells_python_escapes():
    """Every character that starts a formula-looking cell, and a few that do not, alone and
    before text: the database's escape agrees with the Python writer's on each."""
    from portal.downloads import starts_like_formula

    assert {"=", "+", "-", "@", "\t", "\r", "\n", " ", "\u200b", "\ufeff", "\uff1d"} <= set(csvsql.formula_starts())
    firsts = [*csvsql.formula_starts(), "a", "1", "'", "가", "\u3164", "\U0001f600", "\uff10"]
    values = [*firsts, *(f"{c}x" for c in firsts)]
    sql = (
        f"SELECT v, {csvsql._text('m.v')} FROM "
        f"(SELECT v, {csvsql._formula_starts_literal()}::text AS formula__starts FROM unnest(%s::text[]) AS v) AS m"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [values])
        written = dict(cursor.fetchall())
    expected = {v: python_cell(v) for v in values}
    assert written == expected
    assert sum(starts_like_formula(v) for v in values) == 2 * len(csvsql.formula_starts())
