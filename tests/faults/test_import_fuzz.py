"""Property-based fuzzing of the yearly-metric CSV importer (programs.importing.import_metrics):
whatever the file, it is either imported exactly or rejected whole with clear problems, and a
rejected file leaves the database exactly as it was. Never an exception, never a partial write."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.importing import import_metrics, parse_metrics
from programs.models import YearlyMetric

PROGRAMS = ["palbok-art-factory", "팔복예술공장", "Palbok Art Factory", "seonosong-art-village", "no-such-program"]
INDICATORS = ["visiting-organizations", "방문 기관 수", "daily-visitors", "no-such-indicator"]
HEADERS = [
    ["program", "indicator", "year", "value", "kind", "as_of", "source"],
    ["사업", "지표", "연도", "값", "구분", "기준일", "출처"],
    ["program", "indicator", "year", "value"],
    ["program", "year", "value"],  # a required column missing
    ["=cmd|' /C calc'!A0", "indicator", "year", "value"],
]
HOSTILE_CELLS = [
    "=SUM(A1:A9)",
    "+1",
    "-1",
    "@foo",
    "\t=1",
    "\r=1",
    "9" * 40,
    "1e400",
    "NaN",
    "-0",
    "1,240",
    "1.5.5",
    "\x00",
    "a\x00b",
    '"unterminated',
    "",
    " ",
    "２０１９",
    "٣",
]
cells = st.one_of(
    st.sampled_from(HOSTILE_CELLS),
    st.text(max_size=30),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
)
valid_rows = st.tuples(
    st.sampled_from(PROGRAMS),
    st.sampled_from(INDICATORS),
    st.one_of(st.integers(1985, 2105), st.sampled_from(["2019", "19", "year"])).map(str),
    st.one_of(st.integers(-5, 10**6).map(str), st.sampled_from(["1,240", "92", "0.5", "84"])),
    st.sampled_from(["", "actual", "target", "실적", "목표", "maybe"]),
    st.sampled_from(["", "2019-10-21", "2019.10.21", "2018-02-30", "someday"]),
    st.sampled_from(["", "1", "99999", "업코리아"]),
).map(list)
rows = st.one_of(
    valid_rows,
    st.lists(cells, min_size=0, max_size=10),  # ragged, random
    valid_rows.flatmap(lambda row: st.integers(0, len(row) - 1).flatmap(lambda i: cells.map(lambda c: row[:i] + [c]))),
)


@st.composite
def csv_files(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", "\t", ";"]))
    header = draw(st.sampled_from(HEADERS))
    body = draw(st.lists(rows, min_size=0, max_size=12))
    lines = [header, *body]
    text = "\r\n".join(delimiter.join(cell for cell in line) for line in lines) + draw(st.sampled_from(["", "\n"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp949", "utf-16", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    # Broken bytes: a few positions overwritten (half a Korean character, 0xff, NUL).
    for _ in range(draw(st.integers(0, 3))):
        if data:
            position = draw(st.integers(0, len(data) - 1))
            data = data[:position] + draw(st.sampled_from([b"\xff", b"\x00", b"\xea", b"\x80\x80"])) + data[position:]
    return data


def snapshot():
    return set(
        YearlyMetric.objects.values_list("program_id", "indicator_id", "year", "kind", "value", "as_of", "source_id")
    )


def check_file(data: bytes) -> None:
    with transaction.atomic():
        before = snapshot()
        expected = parse_metrics(data)  # the import keeps no rows: read them the same way first
        outcome = import_metrics(data)
        after = snapshot()
        if outcome.ok:
            assert expected.ok and len(expected.rows) == outcome.parsed.row_count > 0
            for row in expected.rows:
                stored = YearlyMetric.objects.get(
                    program_id=row.program_id, indicator_id=row.indicator_id, year=row.year, kind=row.kind
                )
                assert stored.value == row.value
            touched = {row.key for row in expected.rows}
            assert {r for r in before if r[:4] not in touched} == {r for r in after if r[:4] not in touched}
        else:
            assert outcome.parsed.problems
            assert all(str(problem).strip() for problem in outcome.parsed.problems)
            assert after == before, "a rejected file changed the database"
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=csv_files())
def test_every_generated_file_is_imported_exactly_or_rejected_whole(data):
    check_file(data)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_rejected_cleanly(data):
    check_file(data)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [9 * 1024 * 1024, 10 * 1024 * 1024 + 1])
def test_a_ten_megabyte_line(size):
    header = b"program,indicator,year,value\n"
    data = header + b"palbok-art-factory,visiting-organizations,2019," + b"9" * (size - len(header) - 47)
    before = snapshot()
    outcome = import_metrics(data)
    assert not outcome.ok
    assert outcome.parsed.problems
    assert snapshot() == before


@pytest.mark.django_db
def test_a_valid_file_in_the_fuzz_alphabet_is_imported():
    """The property above must be able to see success too, not only rejections."""
    data = 'program,indicator,year,value\npalbok-art-factory,visiting-organizations,2016,"1,240"\n'.encode("cp949")
    with transaction.atomic():
        outcome = import_metrics(data)
        assert outcome.ok, [str(p) for p in outcome.parsed.problems]
        check_file(data)
        transaction.set_rollback(True)
