"""Template filters for a yearly metric with what the source says of it (portal.qualifiers):
`{{ metric|metric_value }}` is "약 576" / "about 576" for an approximate value, and
`{{ metric|as_of_text }}` and `{{ metric|note_text }}` what the templates write beside it."""

from django import template
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


@register.filter
def note_lang(metric) -> bool:
    """Whether the note falls back to Korean on a page in another language (the template then
    marks it `lang="ko"`)."""
    language = (get_language() or "ko")[:2]
    return bool(language != "ko" and metric.note and not getattr(metric, f"note_{language}", None))


@register.filter
def note_text(metric) -> str:
    """The metric's note as it goes beside the value (portal.qualifiers.note_text)."""
    return qualifiers.note_text(metric) if metric else ""


@register.filter
def as_of_text(metric):
    """How far a partial-year value counts, in words ("2019-10-21 기준", "first half of 2019")."""
    return qualifiers.as_of_text(metric) if metric else ""
