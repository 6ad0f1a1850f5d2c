"""Charts drawn on the server as inline SVG, with their text alternative and data table.

No JavaScript and no inline `style` attributes (the site's Content-Security-Policy forbids
them): the SVG carries presentation attributes and classes styled in static/css/portal.css.
A chart is returned as a `Chart`: the markup plus the rows of the table shown beside it, so
the numbers are readable without the picture (templates/includes/chart.html renders both).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Fills with at least 3:1 contrast against white (WCAG 1.4.11, graphical objects).
PALETTE = ["#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#0e7490", "#be185d", "#374151"]
WIDTH = 640
HEIGHT = 300


def format_number(value, *, compact: bool = False) -> str:
    """84.00 -> "84", 1240 -> "1,240"; compact shortens axis ticks (5,000,000,000 -> 5G)."""
    if value is None:
        return ""
    number = Decimal(str(value))
    if compact and abs(number) >= 10_000:
        for size, suffix in ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k")):
            if abs(number) >= size:
                scaled = number / size
                text = f"{scaled:.1f}".rstrip("0").rstrip(".")
                return f"{text}{suffix}"
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def format_krw(amount, language: str) -> str:
    """An amount in won as a reader expects it: "50억 원" in Korean, "KRW 5 bn" in English."""
    if amount is None:
        return "–"
    amount = int(amount)
    if language == "ko":
        jo, rest = divmod(amount, 10**12)
        eok, rest = divmod(rest, 10**8)
        man, won = divmod(rest, 10**4)
        parts = []
        if jo:
            parts.append(f"{jo:,}조")
        if eok:
            parts.append(f"{eok:,}억")
        if man:
            parts.append(f"{man:,}만")
        if won or not parts:
            parts.append(f"{won:,}")
        return " ".join(parts) + " 원"
    for size, suffix in ((10**12, "tn"), (10**9, "bn"), (10**6, "M")):
        if abs(amount) >= size:
            text = f"{amount / size:.2f}".rstrip("0").rstrip(".")
            return f"KRW {text} {suffix}"
    return f"KRW {amount:,}"


@dataclass
class Point:
    """One value on the x axis (usually a year)."""

    label: str
    value: Decimal | int | None
    partial: bool = False  # a partial-year figure: drawn hatched, marked with *
    note: str = ""  # e.g. "as of 2019-10-21"
    target: Decimal | int | None = None


@dataclass
class Series:
    name: str
    values: dict[str, Decimal | int | None]
    partial: dict[str, str] = field(default_factory=dict)  # label -> note, for partial-year values


@dataclass
class Chart:
    title: str
    description: str
    svg: SafeString
    columns: list[str]
    rows: list[list[str]]
    footnote: str = ""


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


def _scale(maximum: float) -> tuple[float, list[float]]:
    step = _nice_step(maximum)
    top = step * math.ceil(maximum / step) if maximum > 0 else step * 5
    count = round(top / step)
    return top, [step * i for i in range(count + 1)]


def _text(
    x: float, y: float, content: str, *, anchor: str = "middle", cls: str = "chart-label", extra: str = ""
) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}"{extra}>{escape(content)}</text>'


def _open_svg(chart_id: str, title: str, description: str, height: int = HEIGHT) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" class="chart-svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        "<defs>"
        f'<pattern id="{chart_id}-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#dbe4ff"/><rect width="4" height="8" fill="#1d4ed8"/></pattern>'
        "</defs>",
    ]


def _y_axis(parts: list[str], ticks: list[float], top: float, left: int, right: int, plot_top: int, bottom: int):
    for tick in ticks:
        y = bottom - (tick / top) * (bottom - plot_top) if top else bottom
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" class="chart-grid"/>')
        parts.append(_text(left - 6, y + 4, format_number(tick, compact=True), anchor="end", cls="chart-tick"))
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" class="chart-axis"/>')


def _left_margin(top: float) -> int:
    return max(44, 12 + 8 * len(format_number(top, compact=True)))


def bar_chart(points: list[Point], *, title: str, unit: str = "", x_label: str = "", value_label: str = "") -> Chart:
    """Vertical bars, one per point; partial-year values hatched and starred, targets as dashed marks."""
    values = [float(p.value) for p in points if p.value is not None]
    values += [float(p.target) for p in points if p.target is not None]
    top, ticks = _scale(max(values, default=0))
    chart_id = _id("bar", title, [(p.label, p.value, p.target) for p in points])
    description = describe(points, unit)
    parts = _open_svg(chart_id, title, description)
    left, right, plot_top, bottom = _left_margin(top), WIDTH - 12, 24, HEIGHT - 56
    _y_axis(parts, ticks, top, left, right, plot_top, bottom)
    slot = (right - left) / max(len(points), 1)
    bar_width = min(56.0, slot * 0.6)
    any_partial = any(p.partial for p in points)
    any_target = any(p.target is not None for p in points)
    for i, point in enumerate(points):
        cx = left + slot * (i + 0.5)
        if point.value is not None:
            height = (float(point.value) / top) * (bottom - plot_top) if top else 0
            fill = f"url(#{chart_id}-hatch)" if point.partial else PALETTE[0]
            parts.append(
                f'<rect x="{cx - bar_width / 2:.1f}" y="{bottom - height:.1f}" width="{bar_width:.1f}" '
                f'height="{height:.1f}" fill="{fill}" class="chart-bar"/>'
            )
            label = format_number(point.value) + ("*" if point.partial else "")
            parts.append(_text(cx, bottom - height - 6, label, cls="chart-value"))
        if point.target is not None:
            y = bottom - (float(point.target) / top) * (bottom - plot_top)
            parts.append(
                f'<line x1="{cx - bar_width / 2 - 6:.1f}" x2="{cx + bar_width / 2 + 6:.1f}" y1="{y:.1f}" '
                f'y2="{y:.1f}" class="chart-target"/>'
            )
        parts.append(_text(cx, bottom + 18, point.label, cls="chart-tick"))
    if any_partial or any_target:
        parts.extend(_legend(chart_id, partial=any_partial, target=any_target, y=HEIGHT - 14))
    parts.append("</svg>")
    columns = [x_label or _("Year"), value_label or _("Value")]
    if any_target:
        columns.append(_("Target"))
    any_note = any(p.note for p in points)
    if any_note:
        columns.append(_("Note"))
    rows = []
    for p in points:
        row = [p.label, _with_unit(p.value, unit) + (" *" if p.partial else "")]
        if any_target:
            row.append(_with_unit(p.target, unit) if p.target is not None else "–")
        if any_note:
            row.append(p.note)
        rows.append(row)
    footnote = _("* partial-year figure, counted up to the date in the note.") if any_partial else ""
    return Chart(title, description, mark_safe("".join(parts)), columns, rows, footnote)


def hbar_chart(items: list[tuple[str, int | Decimal]], *, title: str, unit: str = "", label_header: str = "") -> Chart:
    """Horizontal bars, for categories with long names (regions, organization kinds)."""
    row_height = 26
    height = 40 + row_height * max(len(items), 1)
    top, ticks = _scale(max((float(v) for _, v in items), default=0))
    chart_id = _id("hbar", title, items)
    description = "; ".join(f"{label}: {_with_unit(value, unit)}" for label, value in items) or _("No data.")
    parts = _open_svg(chart_id, title, description, height)
    left, right = 170, WIDTH - 48
    for tick in ticks:
        x = left + (tick / top) * (right - left)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="8" y2="{height - 28}" class="chart-grid"/>')
        parts.append(_text(x, height - 12, format_number(tick, compact=True), cls="chart-tick"))
    for i, (label, value) in enumerate(items):
        y = 12 + i * row_height
        width = (float(value) / top) * (right - left) if top else 0
        parts.append(_text(left - 8, y + 14, label, anchor="end", cls="chart-tick"))
        parts.append(
            f'<rect x="{left}" y="{y}" width="{width:.1f}" height="{row_height - 8}" fill="{PALETTE[0]}" '
            'class="chart-bar"/>'
        )
        parts.append(_text(left + width + 6, y + 14, format_number(value), anchor="start", cls="chart-value"))
    parts.append("</svg>")
    rows = [[label, _with_unit(value, unit)] for label, value in items]
    return Chart(title, description, mark_safe("".join(parts)), [label_header or _("Category"), _("Value")], rows)


def line_chart(labels: list[str], series: list[Series], *, title: str, unit: str = "", x_label: str = "") -> Chart:
    """One line per series over shared x labels; partial-year points drawn hollow and starred."""
    values = [float(v) for s in series for v in s.values.values() if v is not None]
    top, ticks = _scale(max(values, default=0))
    chart_id = _id("line", title, labels, [(s.name, sorted(s.values.items())) for s in series])
    description = "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{label} {_with_unit(s.values[label], unit)}{' (' + s.partial[label] + ')' if label in s.partial else ''}"
            for label in labels
            if s.values.get(label) is not None
        )
        for s in series
    )
    legend_rows = math.ceil(len(series) / 2)
    height = HEIGHT + 20 * max(legend_rows - 1, 0)
    parts = _open_svg(chart_id, title, description or _("No data."), height)
    left, right, plot_top = _left_margin(top), WIDTH - 16, 20
    bottom = height - 56 - 20 * max(legend_rows - 1, 0)
    _y_axis(parts, ticks, top, left, right, plot_top, bottom)
    slot = (right - left) / max(len(labels), 1)
    xs = {label: left + slot * (i + 0.5) for i, label in enumerate(labels)}
    for label, x in xs.items():
        parts.append(_text(x, bottom + 18, label, cls="chart-tick"))
    any_partial = False
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        coords = [
            (xs[label], bottom - (float(s.values[label]) / top) * (bottom - plot_top), label)
            for label in labels
            if s.values.get(label) is not None
        ]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _label in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" class="chart-line"/>')
        for x, y, label in coords:
            partial = label in s.partial
            any_partial |= partial
            fill = "#ffffff" if partial else colour
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{fill}" stroke="{colour}" class="chart-point"/>'
            )
        # legend
        lx = left + (n % 2) * 290
        ly = bottom + 38 + 20 * (n // 2)
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="14" height="4" fill="{colour}"/>')
        parts.append(_text(lx + 20, ly, s.name, anchor="start", cls="chart-legend"))
    parts.append("</svg>")
    columns = [x_label or _("Year"), *[s.name for s in series]]
    rows = []
    for label in labels:
        row = [label]
        for s in series:
            value = s.values.get(label)
            cell = _with_unit(value, unit) if value is not None else "–"
            if label in s.partial:
                cell += f" * ({s.partial[label]})"
            row.append(cell)
        rows.append(row)
    footnote = _("* partial-year figure, counted up to the date in the note.") if any_partial else ""
    return Chart(title, description, mark_safe("".join(parts)), columns, rows, footnote)


def _legend(chart_id: str, *, partial: bool, target: bool, y: int) -> list[str]:
    parts = []
    x = 56
    parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{PALETTE[0]}"/>')
    parts.append(_text(x + 18, y, _("Actual"), anchor="start", cls="chart-legend"))
    x += 110
    if partial:
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="url(#{chart_id}-hatch)"/>')
        parts.append(_text(x + 18, y, _("* Partial year"), anchor="start", cls="chart-legend"))
        x += 150
    if target:
        parts.append(f'<line x1="{x}" x2="{x + 16}" y1="{y - 4}" y2="{y - 4}" class="chart-target"/>')
        parts.append(_text(x + 22, y, _("Target"), anchor="start", cls="chart-legend"))
    return parts


def _with_unit(value, unit: str) -> str:
    if value is None:
        return "–"
    return f"{format_number(value)} {unit}".strip()


def describe(points: list[Point], unit: str) -> str:
    """The text alternative of a bar chart: every value, in order, with its note."""
    if not points:
        return _("No data.")
    pieces = []
    for p in points:
        text = f"{p.label}: {_with_unit(p.value, unit)}"
        if p.note:
            text += f" ({p.note})"
        if p.target is not None:
            text += f", {_('target')} {_with_unit(p.target, unit)}"
        pieces.append(text)
    return "; ".join(pieces)
