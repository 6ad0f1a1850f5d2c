"""The inline SVG charts: accessible, data in a table, no inline styles, partial years marked."""

import html
import re
from decimal import Decimal

import pytest
from django.utils import translation

from portal import charts
from programs.models import Program


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


def test_money_axis_ticks_use_eok_and_jo_in_korean_and_bn_won_in_english():
    ko = charts.tick_formatter(2_500_000_000, money=True, language="ko")
    assert [ko(v) for v in (0, 500_000_000, 2_500_000_000)] == ["0", "5억", "25억"]
    assert charts.tick_formatter(2 * 10**12, money=True, language="ko")(1.5 * 10**12) == "1.5조"
    en = charts.tick_formatter(2_500_000_000, money=True, language="en")
    assert [en(v) for v in (0, 500_000_000, 2_500_000_000)] == ["0", "0.5 bn", "2.5 bn"]
    assert charts.tick_formatter(500_000_000, money=True, language="en")(100_000_000) == "100M"
    assert charts.tick_formatter(100)(20) == "20"  # small counts stay plain
    assert "G" not in "".join(en(v) for v in range(0, 3_000_000_000, 500_000_000))


def test_units_follow_korean_and_english_spacing():
    assert charts.with_unit(37, "개 기관") == "37개 기관"
    assert charts.with_unit(5, "명") == "5명"
    assert charts.with_unit(37, "organizations") == "37 organizations"
    assert charts.with_unit(12.5, "%") == "12.5%"
    assert charts.with_unit(None, "명") == "–"


def _texts(svg: str) -> list[tuple[float, str, str, list[str]]]:
    """(x, anchor, class, lines) of every <text> in a chart."""
    import re

    found = []
    for x, anchor, cls, inner in re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)" class="([\w-]+)">(.*?)</text>', svg
    ):
        lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", inner) or [inner]
        found.append((float(x), anchor, cls, [html.unescape(line) for line in lines]))
    return found


def _assert_labels_inside(chart: charts.Chart) -> None:
    svg = str(chart.svg)
    texts = _texts(svg)
    assert texts
    for x, anchor, cls, lines in texts:
        width = max(charts.text_width(line, cls) for line in lines)
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        assert left >= 0 and left + width <= charts.WIDTH, f"{lines} ({cls}) at {left:.0f}..{left + width:.0f}"


def test_long_values_and_names_stay_inside_the_picture():
    with translation.override("ko"):
        budget = charts.hbar_chart(
            [("국비", 2_500_000_000), ("재원 구분 없음", 2_500_000_000)], title="재원별 예산", unit="원", money=True
        )
        _assert_labels_inside(budget)
        drawn = [line for *_rest, lines in _texts(str(budget.svg)) for line in lines]
        assert "25억 원" in drawn and not any("2,500,000,000" in line for line in drawn)
        assert "2,500,000,000" in budget.description  # the text alternative keeps every digit
        assert budget.rows[0] == ["국비", "2,500,000,000원"]  # full values stay in the table
    names = [
        "Korea Institute of Carbon Convergence Technology",
        "Seonosong Art Village (Seonmi-chon regeneration)",
        "Housing welfare (social housing and more)",
        "Palbok Art Factory",
        "An extraordinarily long program name without any natural break at all in it whatsoever",
    ]
    lines = charts.line_chart(
        ["2017", "2018", "2019"],
        [charts.Series(name, {"2018": 10 * i, "2019": 12_000_000 * i}) for i, name in enumerate(names, 1)],
        title="t",
    )
    _assert_labels_inside(lines)
    assert "<tspan" in str(lines.svg)  # the longest names are wrapped, not cut off
    bars = charts.bar_chart(
        [charts.Point(str(year), 2_500_000_000 * n) for n, year in enumerate(range(2010, 2024), 1)],
        title="t",
        money=True,
    )
    _assert_labels_inside(bars)


def test_chart_text_sizes_in_the_stylesheet_never_exceed_the_layout_sizes():
    import re
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    sizes = re.findall(r"\.(chart-[\w-]+)[^{]*\{[^}]*font-size:\s*(\d+)px", css)
    assert sizes
    for cls, size in sizes:
        assert int(size) <= charts.TEXT_SIZE[cls], (
            f".{cls} is {size}px in the CSS, laid out for {charts.TEXT_SIZE[cls]}"
        )
    # On a phone (the chart drawn about 0.75x) the text is set larger than on a desktop.
    phone = re.search(r"@media \(max-width: 40rem\) \{\s*\.chart-tick \{ font-size: (\d+)px", css)
    assert phone and int(phone.group(1)) * 358 / charts.WIDTH >= 11


def _contrast(colour: str, background: str = "#ffffff") -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(colour), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_program_colours_are_distinct_and_readable_as_text_on_white():
    assert len(set(charts.PROGRAM_COLOURS)) == len(charts.PROGRAM_COLOURS)
    for colour in charts.PROGRAM_COLOURS:
        assert _contrast(colour) >= 4.5, f"{colour} has {_contrast(colour):.2f}:1 on white"


def test_a_program_keeps_its_colour_whatever_else_is_on_the_chart():
    assert charts.program_colour(7) == charts.program_colour(7 + len(charts.PROGRAM_COLOURS))
    assert len({charts.program_colour(pk) for pk in range(1, len(charts.PROGRAM_COLOURS) + 1)}) == len(
        charts.PROGRAM_COLOURS
    )
    mine = charts.program_colour(3)
    alone = charts.line_chart(["2019"], [charts.Series("A", {"2019": 1}, colour=mine)], title="t")
    second = charts.line_chart(
        ["2019"],
        [
            charts.Series("B", {"2019": 2}, colour=charts.program_colour(4)),
            charts.Series("A", {"2019": 1}, colour=mine),
        ],
        title="t",
    )
    assert f'stroke="{mine}"' in str(alone.svg) and f'stroke="{mine}"' in str(second.svg)
    bars = charts.bar_chart([charts.Point("2019", 5, partial=True), charts.Point("2018", 4)], title="b", colour=mine)
    svg = str(bars.svg)
    assert f'fill="{mine}"' in svg and charts.PALETTE[0] not in svg  # the hatch is in the program's colour too
    assert f'fill="{mine}"' in str(charts.hbar_chart([("a", 1)], title="h", colour=mine).svg)


def _legend_colours(body: str) -> dict[str, str]:
    """{series name: colour} from the legends of a page's line charts."""
    found = re.findall(r'height="5" fill="(#[0-9a-f]{6})"/><text[^>]*class="chart-legend">([^<]+)<', body)
    return {html.unescape(name): colour for colour, name in found}


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_palbok_has_one_colour_on_the_home_page_the_indicator_page_and_its_own(client, prefix):
    palbok = Program.objects.get(slug="palbok-art-factory")
    colour = charts.program_colour(palbok.pk)
    with translation.override(prefix.strip("/") or "ko"):
        name = str(palbok)
    home = _legend_colours(client.get(f"{prefix}/").content.decode())
    indicator = _legend_colours(client.get(f"{prefix}/indicators/visiting-organizations/").content.decode())
    assert home[name] == colour and indicator[name] == colour, (home, indicator)
    # Each other program on both charts has its own colour on both, too.
    for other in set(home) & set(indicator):
        assert home[other] == indicator[other], other
    own = client.get(f"{prefix}/programs/palbok-art-factory/").content.decode()
    # Its own page: every bar in its colour, or hatched (a partial year) in stripes of its colour.
    fills = re.findall(r'fill="([^"]+)" class="chart-bar"', own)
    assert fills and all(fill == colour or fill.endswith("-hatch)") for fill in fills), fills
    hatches = re.findall(r'<pattern id="[^"]+-hatch".*?</pattern>', own)
    assert hatches and all(f'fill="{colour}"' in hatch for hatch in hatches)


def test_two_programs_sharing_a_colour_on_one_chart_are_still_told_apart():
    same = charts.program_colour(1)
    assert charts.program_colour(1 + len(charts.PROGRAM_COLOURS)) == same
    chart = charts.line_chart(
        ["2019"],
        [charts.Series("A", {"2019": 1}, colour=same), charts.Series("B", {"2019": 2}, colour=same)],
        title="t",
    )
    strokes = re.findall(r'<circle[^>]*stroke="(#[0-9a-f]{6})"', str(chart.svg))
    assert len(strokes) == 2 and strokes[0] == same and strokes[1] != same
