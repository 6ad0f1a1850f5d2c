"""Charts drawn on the server as inline SVG, with their text alternative and data table.

No JavaScript and no inline `style` attributes (the site's Content-Security-Policy forbids
them): the SVG carries presentation attributes and classes styled in static/css/portal.css.
A chart is returned as a `Chart`: the markup plus the rows of the table shown beside it, so
the numbers are readable without the picture (templates/includes/chart.html renders both).

Layout is computed here, on the server, without a browser to measure text: label widths are
estimated generously from the characters (Hangul a full em, Latin about 0.6 em) at the largest
font size the stylesheet ever uses (the phone sizes in TEXT_SIZE), so no label reaches the edge
of the picture. The drawing is WIDTH user units wide and scales with the page: about 1.2× on a
desktop (the stylesheet caps it at 600 px) and 0.75× on a phone, where the stylesheet enlarges
the text so it stays about 11–12 px on screen.
"""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jeonju.money import format_krw

# Fills with at least 3:1 contrast against white (WCAG 1.4.11, graphical objects).
PALETTE = ["#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#0e7490", "#be185d", "#374151"]
WIDTH = 480
PLOT_HEIGHT = 190
EDGE = 6  # blank margin kept inside the picture on every side
# The largest font size (in user units) of each text class in static/css/portal.css (the phone
# sizes); keep the two in step.
TEXT_SIZE = {"chart-tick": 15, "chart-label": 16, "chart-legend": 16, "chart-value": 16}
BOLD = {"chart-value"}
LINE_GAP = 1.3  # line height, in ems, of wrapped labels


def _language() -> str:
    return (get_language() or "ko")[:2]


def _scaled(value: float, size: int) -> str:
    text = f"{value / size:,.1f}".rstrip("0").rstrip(".")
    return text


# Suffixes of the abbreviated numbers: Korean counts in 만 (10^4), 억 (10^8) and 조 (10^12).
_COMPACT = {
    "ko": ((10**12, "조"), (10**8, "억"), (10**4, "만")),
    "en": ((10**12, " tn"), (10**9, " bn"), (10**6, "M"), (10**3, "k")),
}


def format_number(value, *, compact: bool = False, language: str | None = None) -> str:
    """84.00 -> "84", 1240 -> "1,240"; compact shortens axis ticks (5,000,000,000 -> "50억", "5 bn")."""
    if value is None:
        return ""
    number = Decimal(str(value))
    if compact and abs(number) >= 10_000:
        for size, suffix in _COMPACT.get(language or _language(), _COMPACT["en"]):
            if abs(number) >= size:
                return _scaled(float(number), size) + suffix
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def tick_formatter(top: float, *, money: bool = False, language: str | None = None) -> Callable[[float], str]:
    """Axis labels sharing one unit chosen from the axis' top: 0, 5억, 10억 … or 0, 0.5 bn, 1 bn …

    Money has no currency on the ticks (the chart's title gives it); the full amounts are in the
    data table beside the chart.
    """
    language = language or _language()
    units = _COMPACT.get(language, _COMPACT["en"])
    if money and language != "ko":
        units = ((10**12, " tn"), (10**9, " bn"), (10**6, "M"))
    for size, suffix in units:
        if top >= size and (top >= 10_000 or money):
            return lambda value, size=size, suffix=suffix: "0" if not value else _scaled(value, size) + suffix
    return lambda value: format_number(value)


def about(text: str) -> str:
    """A value the source gives as about so many (576여, 500여 명): "약 576", "about 576 jobs"."""
    return _("about %(value)s") % {"value": text}


def with_unit(value, unit: str, *, approximate: bool = False) -> str:
    """A number with its unit: "37 organizations", but "37개 기관" (no space before a Korean counter);
    an approximate one "약 576개 일자리" / "about 576 jobs"."""
    if value is None:
        return "–"
    number = format_number(value)
    if unit:
        joined = unit == "%" or _is_wide(unit[0])
        number = f"{number}{unit}" if joined else f"{number} {unit}"
    return about(number) if approximate else number


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def text_width(text: str, cls: str = "chart-label") -> float:
    """A generous estimate of the drawn width of `text` in user units (no browser to measure it)."""
    ems = 0.0
    for char in text:
        if _is_wide(char):
            ems += 1.0
        elif char in " .,:;'|!()[]ilIjft1":
            ems += 0.38
        elif char.isupper() or char in "mwMW@%&#*":
            ems += 0.8
        else:
            ems += 0.6
    return ems * TEXT_SIZE[cls] * (1.1 if cls in BOLD else 1.0) * 1.06 + 2


def wrap(text: str, width: float, cls: str = "chart-label", *, break_words: bool = True) -> list[str]:
    """`text` broken into lines no wider than `width`, at spaces (and, with break_words, anywhere in a
    word wider than the line; without, such a word keeps its own line however wide)."""
    if text_width(text, cls) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, cls) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        if not break_words:
            line = word
            continue
        for char in word:  # a word wider than the line: broken where it must be
            if text_width(line + char, cls) > width and line:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


@dataclass
class Point:
    """One value on the x axis (usually a year)."""

    label: str
    value: Decimal | int | None
    partial: bool = False  # a partial-year figure: drawn hatched, marked with *
    note: str = ""  # e.g. "as of 2019-10-21"
    target: Decimal | int | None = None
    approximate: bool = False  # the source gives the value as about so many: "약 576"
    target_approximate: bool = False
    target_note: str = ""


@dataclass
class Series:
    name: str
    values: dict[str, Decimal | int | None]
    partial: dict[str, str] = field(default_factory=dict)  # label -> as-of words, for partial-year values
    approximate: set[str] = field(default_factory=set)  # labels whose value is about so many
    notes: dict[str, str] = field(default_factory=dict)  # label -> the value's note

    def cell(self, label: str, unit: str) -> str:
        """A value as the data table and the text alternative write it: "약 40개 기관 * (2019-10-21 기준)"."""
        value = self.values.get(label)
        if value is None:
            return "–"
        text = with_unit(value, unit, approximate=label in self.approximate)
        if label in self.partial:
            text += " *"
        words = [w for w in (self.partial.get(label), self.notes.get(label)) if w]
        return f"{text} ({' · '.join(words)})" if words else text


@dataclass
class Chart:
    title: str
    description: str
    svg: SafeString
    columns: list[str]
    rows: list[list[str]]
    footnote: str = ""
    _html: SafeString | None = field(default=None, repr=False, compare=False)

    def __html__(self) -> SafeString:
        """The figure as templates/includes/chart.html renders it (picture, data table, footnote),
        rendered once and kept: `{{ chart }}` in a template."""
        if self._html is None:
            self._html = mark_safe(render_to_string("includes/chart.html", {"chart": self}))
        return self._html

    def __str__(self) -> str:
        return self.__html__()

    def __getstate__(self) -> dict:
        # A chart cached as a fragment is stored with its markup (in the language it was built
        # in), so the requests that reuse it do not render it again.
        self.__html__()
        return self.__dict__


def _id(*parts: Any) -> str:
    digest = hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:10]
    return f"chart-{digest}"


def _nice_step(maximum: float, ticks: int = 5) -> float:
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            step = factor * magnitude
            break
    return step if step >= 1 or maximum < 1 else max(1, round(step))


def _scale(maximum: float, ticks: int = 5) -> tuple[float, list[float]]:
    step = _nice_step(maximum, ticks)
    top = step * math.ceil(maximum / step) if maximum > 0 else step * 5
    count = round(top / step)
    return top, [step * i for i in range(count + 1)]


def _text(
    x: float, y: float, content: str, *, anchor: str = "middle", cls: str = "chart-label", extra: str = ""
) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}"{extra}>{escape(content)}</text>'


def _lines(x: float, y: float, lines: list[str], *, anchor: str, cls: str) -> str:
    """Text of several lines, the first baseline at y."""
    if len(lines) == 1:
        return _text(x, y, lines[0], anchor=anchor, cls=cls)
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else LINE_GAP:.1f}em">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{spans}</text>'


def _open_svg(chart_id: str, title: str, description: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {math.ceil(height)}" class="chart-svg" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        "<defs>"
        f'<pattern id="{chart_id}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#dbe4ff"/><rect width="4" height="8" fill="#1d4ed8"/></pattern>'
        "</defs>",
    ]


def _y_axis(parts: list[str], ticks: list[float], top: float, fmt, left: float, right: float, plot_top, bottom):
    size = TEXT_SIZE["chart-tick"]
    for tick in ticks:
        y = bottom - (tick / top) * (bottom - plot_top) if top else bottom
        parts.append(f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" class="chart-grid"/>')
        parts.append(_text(left - 6, y + size * 0.35, fmt(tick), anchor="end", cls="chart-tick"))
    parts.append(f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{bottom}" y2="{bottom}" class="chart-axis"/>')


def _left_margin(ticks: list[float], fmt) -> float:
    return EDGE + 8 + max((text_width(fmt(t), "chart-tick") for t in ticks), default=10)


def _clamp(x: float, width: float) -> float:
    """The centre of a label of `width`, moved inside the picture if it would cross an edge."""
    return min(max(x, EDGE + width / 2), WIDTH - EDGE - width / 2)


@dataclass
class _LegendItem:
    swatch: Callable[[float, float], str]  # draws the key at (x, baseline y)
    text: str
    swatch_width: float = 16


def _legend(items: list[_LegendItem], y: float) -> tuple[list[str], float]:
    """Legend entries in rows that fit the width (names wrapped where one alone is too long).

    Returns the markup and the height used, starting from the first baseline at y.
    """
    size = TEXT_SIZE["chart-legend"]
    available = WIDTH - 2 * EDGE
    parts: list[str] = []
    placed: list[tuple[_LegendItem, list[str], float]] = []
    rows: list[list[tuple[_LegendItem, list[str], float]]] = [placed]
    used = 0.0
    for item in items:
        lines = wrap(item.text, available - item.swatch_width - 6, "chart-legend")
        width = item.swatch_width + 6 + max(text_width(line, "chart-legend") for line in lines)
        if placed and used + 18 + width > available:
            placed = []
            rows.append(placed)
            used = 0.0
        used += (18 if placed else 0) + width
        placed.append((item, lines, width))
    baseline = y
    for row in rows:
        x = EDGE
        for item, lines, width in row:
            parts.append(item.swatch(x, baseline))
            parts.append(_lines(x + item.swatch_width + 6, baseline, lines, anchor="start", cls="chart-legend"))
            x += width + 18
        tallest = max((len(lines) for _item, lines, _w in row), default=1)
        baseline += size * LINE_GAP * tallest + 4
    return parts, baseline - y


def bar_chart(
    points: list[Point],
    *,
    title: str,
    unit: str = "",
    x_label: str = "",
    value_label: str = "",
    money: bool = False,
) -> Chart:
    """Vertical bars, one per point; partial-year values hatched and starred, targets as dashed marks.

    `money`: the values are amounts in won, labelled as "25억 원" / "KRW 2.5 bn".
    """
    language = _language()
    values = [float(p.value) for p in points if p.value is not None]
    values += [float(p.target) for p in points if p.target is not None]
    top, ticks = _scale(max(values, default=0))
    fmt = tick_formatter(top, money=money, language=language)
    chart_id = _id("bar", title, language, [(p.label, p.value, p.target) for p in points])
    description = describe(points, unit)
    any_partial = any(p.partial for p in points)
    any_target = any(p.target is not None for p in points)

    left, right = _left_margin(ticks, fmt), WIDTH - EDGE
    plot_top = EDGE + TEXT_SIZE["chart-value"] + 10
    bottom = plot_top + PLOT_HEIGHT
    slot = (right - left) / max(len(points), 1)
    bar_width = min(56.0, slot * 0.6)
    body: list[str] = []
    _y_axis(body, ticks, top, fmt, left, right, plot_top, bottom)
    # Axis labels wrapped at spaces only ("2019" stays whole); where they are still wider than their
    # slot, only every `every`-th one is written (the table beside the chart has them all).
    x_labels = [wrap(p.label, max(slot - 4, 40), "chart-tick", break_words=False) for p in points]
    widest = max((text_width(line, "chart-tick") for lines in x_labels for line in lines), default=0)
    every = max(1, math.ceil((widest + 6) / slot))
    label_lines = max((len(lines) for lines in x_labels), default=1)
    for i, point in enumerate(points):
        cx = left + slot * (i + 0.5)
        if point.value is not None:
            height = (float(point.value) / top) * (bottom - plot_top) if top else 0
            fill = f"url(#{chart_id}-hatch)" if point.partial else PALETTE[0]
            body.append(
                f'<rect x="{cx - bar_width / 2:.1f}" y="{bottom - height:.1f}" width="{bar_width:.1f}" '
                f'height="{height:.1f}" fill="{fill}" class="chart-bar"/>'
            )
            star = "*" if point.partial else ""
            qualify = about if point.approximate else str
            label = qualify(format_krw(point.value, language) if money else format_number(point.value)) + star
            if text_width(label, "chart-value") > slot - 4:  # too wide for its bar: abbreviated
                label = qualify(fmt(float(point.value))) + star
            width = text_width(label, "chart-value")
            if width <= slot - 2 or len(points) == 1:  # else it would overlap its neighbours: the table has it
                body.append(_text(_clamp(cx, width), bottom - height - 6, label, cls="chart-value"))
        if point.target is not None:
            y = bottom - (float(point.target) / top) * (bottom - plot_top)
            body.append(
                f'<line x1="{cx - bar_width / 2 - 6:.1f}" x2="{cx + bar_width / 2 + 6:.1f}" y1="{y:.1f}" '
                f'y2="{y:.1f}" class="chart-target"/>'
            )
        if i % every == 0:
            lines = x_labels[i]
            width = max(text_width(line, "chart-tick") for line in lines)
            body.append(
                _lines(
                    _clamp(cx, width), bottom + 6 + TEXT_SIZE["chart-tick"], lines, anchor="middle", cls="chart-tick"
                )
            )
    height = bottom + 6 + TEXT_SIZE["chart-tick"] * LINE_GAP * label_lines + EDGE
    if any_partial or any_target:
        items = [
            _LegendItem(
                lambda x, y: f'<rect x="{x:.1f}" y="{y - 12:.1f}" width="14" height="14" fill="{PALETTE[0]}"/>',
                _("Actual"),
            )
        ]
        if any_partial:
            items.append(
                _LegendItem(
                    lambda x, y: (
                        f'<rect x="{x:.1f}" y="{y - 12:.1f}" width="14" height="14" fill="url(#{chart_id}-hatch)"/>'
                    ),
                    _("* Partial year"),
                )
            )
        if any_target:
            items.append(
                _LegendItem(
                    lambda x, y: (
                        f'<line x1="{x:.1f}" x2="{x + 20:.1f}" y1="{y - 5:.1f}" y2="{y - 5:.1f}" class="chart-target"/>'
                    ),
                    _("Target"),
                    swatch_width=20,
                )
            )
        legend, used = _legend(items, height + TEXT_SIZE["chart-legend"])
        body.extend(legend)
        height += used + 4
    parts = _open_svg(chart_id, title, description, height)
    parts.extend(body)
    parts.append("</svg>")

    columns = [x_label or _("Year"), value_label or _("Value")]
    if any_target:
        columns.append(_("Target"))
    any_note = any(p.note for p in points)
    if any_note:
        columns.append(_("Note"))
    rows = []
    for p in points:
        row = [p.label, with_unit(p.value, unit, approximate=p.approximate) + (" *" if p.partial else "")]
        if any_target:
            row.append(_target_text(p, unit) if p.target is not None else "–")
        if any_note:
            row.append(p.note)
        rows.append(row)
    footnote = _("* partial-year figure, counted up to the date in the note.") if any_partial else ""
    return Chart(title, description, mark_safe("".join(parts)), columns, rows, footnote)


def hbar_chart(
    items: list[tuple[str, int | Decimal]],
    *,
    title: str,
    unit: str = "",
    label_header: str = "",
    money: bool = False,
) -> Chart:
    """Horizontal bars, for categories with long names (regions, organization kinds, funding sources)."""
    language = _language()
    chart_id = _id("hbar", title, language, items)
    description = "; ".join(f"{label}: {with_unit(value, unit)}" for label, value in items) or _("No data.")
    maximum = max((float(v) for _, v in items), default=0)

    def value_text(value) -> str:
        return format_krw(value, language) if money else format_number(value)

    # Names on the left (wrapped beyond 40% of the width), values right of their bars.
    label_room = min(max((text_width(label, "chart-tick") for label, _v in items), default=40), WIDTH * 0.4)
    wrapped = [wrap(label, label_room, "chart-tick") for label, _v in items]
    left = EDGE + label_room + 8
    value_room = max((text_width(value_text(v), "chart-value") for _l, v in items), default=20) + 8
    # As many ticks as fit under the bars without touching each other.
    top, ticks = _scale(maximum)
    fmt = tick_formatter(top, money=money, language=language)
    for count in (5, 4, 3, 2, 1):
        top, ticks = _scale(maximum, count)
        fmt = tick_formatter(top, money=money, language=language)
        tick_room = max(text_width(fmt(t), "chart-tick") for t in ticks) + 10
        right = WIDTH - EDGE - max(value_room, tick_room / 2)
        if (right - left) / max(len(ticks) - 1, 1) >= tick_room:
            break
    tick_size = TEXT_SIZE["chart-tick"]
    line_height = tick_size * LINE_GAP
    y = EDGE
    body: list[str] = []
    for (_label, value), lines in zip(items, wrapped, strict=True):
        row_height = max(30.0, line_height * len(lines) + 10)
        width = (float(value) / top) * (right - left) if top else 0
        first_baseline = y + row_height / 2 - line_height * (len(lines) - 1) / 2 + tick_size * 0.35
        body.append(_lines(left - 8, first_baseline, lines, anchor="end", cls="chart-tick"))
        body.append(
            f'<rect x="{left:.1f}" y="{y + 5:.1f}" width="{width:.1f}" height="{row_height - 10:.1f}" '
            f'fill="{PALETTE[0]}" class="chart-bar"/>'
        )
        body.append(
            _text(
                left + width + 6,
                y + row_height / 2 + TEXT_SIZE["chart-value"] * 0.35,
                value_text(value),
                anchor="start",
                cls="chart-value",
            )
        )
        y += row_height
    grid: list[str] = []
    for tick in ticks:
        x = left + (tick / top) * (right - left)
        grid.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{EDGE}" y2="{y + 4:.1f}" class="chart-grid"/>')
        grid.append(_text(x, y + 8 + tick_size, fmt(tick), cls="chart-tick"))
    height = y + 8 + tick_size * LINE_GAP + EDGE
    parts = _open_svg(chart_id, title, description, height)
    parts.extend(grid)
    parts.extend(body)
    parts.append("</svg>")
    rows = [[label, with_unit(value, unit)] for label, value in items]
    return Chart(title, description, mark_safe("".join(parts)), [label_header or _("Category"), _("Value")], rows)


def line_chart(
    labels: list[str], series: list[Series], *, title: str, unit: str = "", x_label: str = "", money: bool = False
) -> Chart:
    """One line per series over shared x labels; partial-year points drawn hollow and starred."""
    language = _language()
    values = [float(v) for s in series for v in s.values.values() if v is not None]
    top, ticks = _scale(max(values, default=0))
    fmt = tick_formatter(top, money=money, language=language)
    chart_id = _id("line", title, language, labels, [(s.name, sorted(s.values.items())) for s in series])
    description = "; ".join(
        f"{s.name}: "
        + ", ".join(f"{label} {s.cell(label, unit)}" for label in labels if s.values.get(label) is not None)
        for s in series
    )
    left, right, plot_top = _left_margin(ticks, fmt), WIDTH - EDGE - 8, EDGE + 10
    bottom = plot_top + PLOT_HEIGHT
    body: list[str] = []
    _y_axis(body, ticks, top, fmt, left, right, plot_top, bottom)
    slot = (right - left) / max(len(labels), 1)
    xs = {label: left + slot * (i + 0.5) for i, label in enumerate(labels)}
    widest = max((text_width(label, "chart-tick") for label in labels), default=0)
    every = max(1, math.ceil((widest + 6) / slot))  # as in bar_chart: labels that would touch are thinned
    for i, (label, x) in enumerate(xs.items()):
        if i % every:
            continue
        body.append(
            _text(
                _clamp(x, text_width(label, "chart-tick")),
                bottom + 6 + TEXT_SIZE["chart-tick"],
                label,
                cls="chart-tick",
            )
        )
    any_partial = False
    legend_items = []
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        coords = [
            (xs[label], bottom - (float(s.values[label]) / top) * (bottom - plot_top), label)
            for label in labels
            if s.values.get(label) is not None
        ]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _label in coords)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" class="chart-line"/>')
        for x, y, label in coords:
            partial = label in s.partial
            any_partial |= partial
            fill = "#ffffff" if partial else colour
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{fill}" stroke="{colour}" class="chart-point"/>'
            )
        legend_items.append(
            _LegendItem(
                lambda x, y, colour=colour: (
                    f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="16" height="5" fill="{colour}"/>'
                ),
                s.name,
            )
        )
    height = bottom + 6 + TEXT_SIZE["chart-tick"] * LINE_GAP + 6
    legend, used = _legend(legend_items, height + TEXT_SIZE["chart-legend"])
    body.extend(legend)
    height += used + EDGE
    parts = _open_svg(chart_id, title, description or _("No data."), height)
    parts.extend(body)
    parts.append("</svg>")
    columns = [x_label or _("Year"), *[s.name for s in series]]
    rows = []
    for label in labels:
        rows.append([label, *[s.cell(label, unit) for s in series]])
    footnote = _("* partial-year figure, counted up to the date in the note.") if any_partial else ""
    return Chart(title, description, mark_safe("".join(parts)), columns, rows, footnote)


def describe(points: list[Point], unit: str) -> str:
    """The text alternative of a bar chart: every value, in order, with its note."""
    if not points:
        return _("No data.")
    pieces = []
    for p in points:
        text = f"{p.label}: {with_unit(p.value, unit, approximate=p.approximate)}"
        if p.note:
            text += f" ({p.note})"
        if p.target is not None:
            text += f", {_('target')} {_target_text(p, unit)}"
        pieces.append(text)
    return "; ".join(pieces)


def _target_text(p: Point, unit: str) -> str:
    text = with_unit(p.target, unit, approximate=p.target_approximate)
    return f"{text} ({p.target_note})" if p.target_note else text
