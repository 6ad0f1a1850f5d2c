"""How a yearly metric reads wherever it appears: what the source says of the figure goes with it.

- An approximate value ("576여", "500여 명", "정도" in the source) reads "약 576" / "about 576".
- A partial-year value carries its as-of in words: "2019-10-21 기준" / "as of 21 October 2019",
  "2019년 상반기 기준" / "first half of 2019" (portal.attainment.as_of_words); a partial value whose
  source gives no full date (`YearlyMetric.partial`) carries its note instead, which says how far
  it counts ("22일 기준 (월은 기사에 없음)").
- The metric's note is shown next to it.

The program and indicator pages, their charts (portal.charts Point and Series) and their
templates (the `qualifiers` template tags) all take these words from here.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal import charts
from portal.attainment import as_of_words

SEPARATOR = " · "


def as_of_text(metric) -> str:
    """How far a partial-year value counts, in words; "" for a value of the whole year."""
    if metric.as_of is not None:
        return as_of_words(metric.as_of)
    if metric.partial:
        return metric.note or _("partial year")
    return ""


def note_text(metric) -> str:
    """The metric's note, unless it already stands for the as-of (a partial value with no date)."""
    if metric.partial and metric.as_of is None:
        return ""
    return metric.note


def qualifiers(metric) -> str:
    """Everything said of a value besides the number: its as-of words and its note, in one line
    ("2019-10-21 기준 · 올해 현재까지 (기사 기준일)")."""
    return SEPARATOR.join(text for text in (as_of_text(metric), note_text(metric)) if text)


def point(label: str, actual, target) -> charts.Point:
    """One year of one indicator on a bar chart: the actual value with its qualifiers, and the target."""
    return charts.Point(
        label=label,
        value=actual.value if actual else None,
        partial=bool(actual and actual.is_partial),
        approximate=bool(actual and actual.approximate),
        note=qualifiers(actual) if actual else _("target only"),
        target=target.value if target else None,
        target_approximate=bool(target and target.approximate),
        target_note=target.note if target else "",
    )


def series(name: str, by_label: dict, colour: str = "") -> charts.Series:
    """One line of a line chart from {x label: metric}: values, partial points with their as-of
    words, approximate points, notes; `colour`, a program's own."""
    return charts.Series(
        name,
        {label: metric.value for label, metric in by_label.items()},
        partial={label: as_of_text(metric) for label, metric in by_label.items() if metric.is_partial},
        approximate={label for label, metric in by_label.items() if metric.approximate},
        notes={label: note for label, metric in by_label.items() if (note := note_text(metric))},
        colour=colour,
    )
