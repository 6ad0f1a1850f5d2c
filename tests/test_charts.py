"""The inline SVG charts: accessible, data in a table, no inline styles, partial years marked."""

from decimal import Decimal

import pytest
from django.utils import translation

from jeonju import charts


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_bar_chart_has_text_alternative_and_table():
    chart = charts.bar_chart(
        [
            charts.Point("2018", Decimal("84")),
            charts.Point("2019", Decimal("92"), partial=True, note="as of 2019-10-21"),
        ],
        title="Visiting organizations",
        unit="orgs",
    )
    svg = str(chart.svg)
    assert 'role="img"' in svg
    assert "<title" in svg and "Visiting organizations" in svg
    assert "<desc" in svg and "2019: 92 orgs (as of 2019-10-21)" in svg
    assert "aria-labelledby" in svg
    assert "style=" not in svg and "<style" not in svg and "<script" not in svg
    assert chart.rows == [["2018", "84 orgs", ""], ["2019", "92 orgs *", "as of 2019-10-21"]]
    assert chart.footnote  # the partial-year mark is explained


def test_bar_chart_partial_value_is_hatched_and_starred():
    chart = charts.bar_chart([charts.Point("2019", 92, partial=True)], title="t")
    svg = str(chart.svg)
    assert "-hatch)" in svg
    assert ">92*<" in svg


def test_bar_chart_draws_targets_and_lists_them():
    chart = charts.bar_chart([charts.Point("2019", 43, target=81)], title="Purchasing")
    assert 'class="chart-target"' in str(chart.svg)
    assert "Target" in chart.columns
    assert chart.rows[0][2] == "81"


def test_title_is_escaped():
    chart = charts.bar_chart([charts.Point("<b>", 1)], title="<script>alert(1)</script>")
    assert "<script>" not in str(chart.svg)
    assert "&lt;script&gt;" in str(chart.svg)


def test_line_chart_series_and_partial_points():
    chart = charts.line_chart(
        ["2017", "2018", "2019"],
        [
            charts.Series("Carbon", {"2017": 37, "2018": 32, "2019": 40}, {"2019": "as of 2019-10-21"}),
            charts.Series("Palbok", {"2018": 84, "2019": 92}),
        ],
        title="Visiting organizations",
    )
    svg = str(chart.svg)
    assert svg.count("<polyline") == 2
    assert 'fill="#ffffff"' in svg  # the partial point is hollow
    assert chart.columns == ["Year", "Carbon", "Palbok"]
    assert chart.rows[0] == ["2017", "37", "–"]
    assert chart.rows[2][1] == "40 * (as of 2019-10-21)"


def test_hbar_chart_rows():
    chart = charts.hbar_chart([("Seoul", 3), ("Busan", 1)], title="By region", label_header="Region")
    assert chart.rows == [["Seoul", "3"], ["Busan", "1"]]
    assert chart.columns[0] == "Region"


def test_empty_charts_do_not_fail():
    assert "No data" in charts.bar_chart([], title="x").description
    assert charts.line_chart([], [], title="x").rows == []
    assert charts.hbar_chart([], title="x").rows == []


def test_axis_scale_is_nice_and_covers_the_maximum():
    top, ticks = charts._scale(92)
    assert top >= 92
    assert ticks[0] == 0 and ticks[-1] == top
    assert len(ticks) <= 8


def test_number_formats():
    assert charts.format_number(Decimal("84.00")) == "84"
    assert charts.format_number(1240) == "1,240"
    assert charts.format_number(Decimal("2.50")) == "2.5"
    assert charts.format_number(5_000_000_000, compact=True, language="ko") == "50억"
    assert charts.format_number(5_000_000_000, compact=True, language="en") == "5 bn"
    assert charts.format_krw(5_000_000_000, "ko") == "50억 원"
    assert charts.format_krw(2_230_000_000, "ko") == "22억 3,000만 원"
    assert charts.format_krw(5_000_000_000, "en") == "KRW 5 bn"
    assert charts.format_krw(None, "en") == "–"
