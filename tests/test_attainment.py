"""Target attainment arithmetic (portal.attainment), by properties over any values: direction,
zero and missing targets, partial years, rounding."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.attainment import Attainment, Status, attainments, roll_up

TODAY = date(2026, 12, 1)
amounts = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False)
positive = amounts.filter(lambda value: value > 0)
years = st.integers(min_value=2000, max_value=2030)


@given(target=positive, actual=amounts, higher=st.booleans(), year=st.integers(2000, 2025))
def test_a_full_year_is_met_exactly_when_on_the_good_side_of_the_target(target, actual, higher, year):
    item = Attainment(year=year, target=target, actual=actual, higher_is_better=higher)
    met = actual >= target if higher else actual <= target
    assert item.status(TODAY) == (Status.MET if met else Status.NOT_MET)


@given(target=positive, actual=amounts, higher=st.booleans())
def test_the_percentage_reads_100_or_better_only_when_met(target, actual, higher):
    item = Attainment(year=2019, target=target, actual=actual, higher_is_better=higher)
    assert abs(item.share - actual / target) < Decimal("1e-20")
    if higher:
        assert (item.percent >= 100) == (item.status(TODAY) == Status.MET)
        assert item.percent <= item.share * 100 < item.percent + 1
    else:
        assert (item.percent <= 100) == (item.status(TODAY) == Status.MET)
        assert item.percent - 1 < item.share * 100 <= item.percent


@given(target=positive, actual=amounts, higher=st.booleans(), as_of=st.dates(date(2019, 1, 1), date(2019, 12, 30)))
def test_a_partial_year_is_never_called_missed(target, actual, higher, as_of):
    item = Attainment(year=2019, target=target, actual=actual, higher_is_better=higher, as_of=as_of)
    status = item.status(TODAY)
    assert status != Status.NOT_MET
    # Only a count that has already reached a higher-is-better target is known to meet it.
    assert status == (Status.MET if higher and actual >= target else Status.IN_PROGRESS)


@given(actual=amounts, higher=st.booleans())
def test_a_zero_target_has_no_share_and_is_met_by_the_direction(actual, higher):
    item = Attainment(year=2019, target=Decimal(0), actual=actual, higher_is_better=higher)
    assert item.share is None and item.percent is None
    assert item.status(TODAY) == (Status.MET if higher or actual == 0 else Status.NOT_MET)


@given(target=amounts, higher=st.booleans(), year=years)
def test_a_missing_actual_is_not_yet_due_until_the_year_is_over(target, higher, year):
    item = Attainment(year=year, target=target, actual=None, higher_is_better=higher)
    assert item.share is None and item.percent is None and item.reached is None
    assert item.status(TODAY) == (Status.NOT_DUE if year >= TODAY.year else Status.NOT_REPORTED)


def test_the_seed_figure_reads_as_the_source_gives_it():
    # 4.3 bn of an 8.1 bn target, first half of 2019: 53 %, in progress, never "missed".
    item = Attainment(year=2019, target=Decimal("8100000000"), actual=Decimal("4300000000"), as_of=date(2019, 6, 30))
    assert item.percent == 53
    assert item.status(TODAY) == Status.IN_PROGRESS


def test_metrics_pair_up_by_program_and_year_and_roll_up():
    lower = SimpleNamespace(higher_is_better=False)
    higher = SimpleNamespace(higher_is_better=True)

    def metric(program, year, kind, value, as_of=None, indicator=higher):
        return SimpleNamespace(
            program_id=program,
            program=program,
            indicator_id=id(indicator),
            indicator=indicator,
            year=year,
            kind=kind,
            value=Decimal(value),
            as_of=as_of,
            partial=False,
            approximate=False,
        )

    rows = [
        metric(1, 2019, "target", 100),
        metric(1, 2019, "actual", 120),
        metric(1, 2020, "actual", 5),  # an actual without a target: nothing to attain
        metric(2, 2019, "target", 100),
        metric(2, 2019, "actual", 40, date(2019, 6, 30)),
        metric(3, 2027, "target", 10),
        metric(4, 2018, "target", 10),
        metric(5, 2019, "target", 10, indicator=lower),
        metric(5, 2019, "actual", 12, indicator=lower),
    ]
    items = [row.attainment for row in attainments(rows)]
    assert [(i.year, i.actual) for i in items] == [(2019, 120), (2019, 40), (2027, None), (2018, None), (2019, 12)]
    assert roll_up(items, TODAY) == {
        Status.NOT_MET: 1,
        Status.MET: 1,
        Status.IN_PROGRESS: 1,
        Status.NOT_DUE: 1,
        Status.NOT_REPORTED: 1,
    }


def test_the_sentence_in_both_languages():
    from django.utils import translation

    from portal.attainment import sentence
    from portal.charts import format_krw

    item = Attainment(year=2019, target=Decimal("8100000000"), actual=Decimal("4300000000"), as_of=date(2019, 6, 30))
    with translation.override("ko"):
        text = sentence(item, lambda v, _approx: format_krw(v, "ko"))
        assert text == "목표 81억 원 대비 43억 원 (53 %), 2019년 상반기 기준"
    with translation.override("en"):
        text = sentence(item, lambda v, _approx: format_krw(v, "en"))
        assert text == "KRW 4.3 bn against a target of KRW 8.1 bn (53 %), first half of 2019"
        later = Attainment(year=2019, target=Decimal(100), actual=Decimal(92), as_of=date(2019, 10, 21))
        as_of = "as of 21\u00a0Oct\u00a02019"  # no-break spaces: the date stays on one line
        assert sentence(later, lambda v, a: f"about {v}" if a else str(v)).endswith(f"(92 %), {as_of}")
        plain = lambda v, a: f"about {v}" if a else str(v)  # noqa: E731
        later = Attainment(year=2027, target=Decimal(10), actual=None)
        assert sentence(later, plain) == "target 10, no actual reported"
        approximate = Attainment(
            year=2021, target=Decimal(760), actual=Decimal(700), target_approximate=True, partial=True
        )
        assert sentence(approximate, plain) == "700 against a target of about 760 (92 %), partial year"
        assert approximate.status(TODAY) == Status.IN_PROGRESS


@pytest.mark.django_db
def test_the_downloads_carry_the_target_the_share_and_the_status(client):
    import json

    from tests.csv_records import csv_records

    rows = csv_records(client.get("/programs/social-economy-public-purchasing/figures.csv"))
    actual = next(row for row in rows if row["kind"] == "actual" and row["year"] == "2019")
    assert (actual["target"], actual["attainment_percent"], actual["attainment_status"]) == (
        "8100000000",
        "53",
        "in_progress",
    )
    assert actual["as_of"] == "2019-06-30"
    target = next(row for row in rows if row["kind"] == "target")
    assert target["attainment_status"] == "" and target["attainment_status_label"] == ""
    assert actual["attainment_status_label"] == "진행 중 (연중 집계)"  # Status.IN_PROGRESS.label
    data = json.loads(client.get("/indicators/public-purchasing/download.json").content)
    record = next(r for r in data["results"] if r["kind"] == "actual")
    assert record["attainment_percent"] == 53 and record["attainment_status"] == "in_progress"
