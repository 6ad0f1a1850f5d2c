"""Template filters for a yearly metric with what the source says of it (portal.qualifiers):
`{{ metric|metric_value }}` is "약 576" / "about 576" for an approximate value, and
`{{ metric|metric_notes }}` its as-of in words and its note, marked up to sit beside it."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

from portal import charts, qualifiers

register = template.Library()


@register.filter
def metric_value(metric):
    """The value as a number ("1,240"), "약 576" / "about 576" where the source gives it as about."""
    if not metric or metric.value is None:
        return ""
    number = charts.format_number(metric.value)
    return charts.about(number) if metric.approximate else number


def _note_lang(metric) -> str:
    """` lang="ko"` where the note falls back to Korean on a page in another language."""
    language = (get_language() or "ko")[:2]
    return "ko" if language != "ko" and metric.note and not getattr(metric, f"note_{language}", None) else ""


@register.filter
def metric_notes(metric):
    """What goes beside the value: its as-of words (a partial year) and its note, each in a span
    (classes "partial" and "metric-note"); empty for a full-year value with no note."""
    if not metric:
        return ""
    lang = _note_lang(metric)
    spans = []
    if metric.is_partial:
        # A partial value with no date says how far it counts in its note, in the note's language.
        spans.append(("partial", lang if metric.as_of is None else "", f"({qualifiers.as_of_text(metric)})"))
    if note := qualifiers.note_text(metric):
        spans.append(("metric-note", lang, note))
    return format_html_join(
        "",
        ' <span class="{}"{}>{}</span>',
        ((cls, format_html(' lang="{}"', lang) if lang else "", text) for cls, lang, text in spans),
    )


@register.filter
def as_of_text(metric):
    """How far a partial-year value counts, in words ("2019-10-21 기준", "first half of 2019")."""
    return qualifiers.as_of_text(metric) if metric else ""
