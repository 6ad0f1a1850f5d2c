"""Template filters for numbers as citizens read them."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.charts import format_krw, format_number

register = template.Library()


@register.filter
def num(value):
    """84.00 -> 84, 1240 -> 1,240; empty for None."""
    return format_number(value) if value is not None and value != "" else ""


@register.filter
def krw(value):
    """An amount in won: "50억 원" in Korean, "KRW 5 bn" in English."""
    return format_krw(value, (get_language() or "ko")[:2])


@register.filter
def bi(obj, field: str):
    """A bilingual field in the active language; where it falls back to Korean on an English
    page, wrapped in <span lang="ko"> so screen readers switch voice (KWCAG "language of parts")."""
    value = getattr(obj, field, "")
    if value in (None, ""):
        return ""
    language = (get_language() or "ko")[:2]
    if language != "ko" and not getattr(obj, f"{field}_{language}", None):
        return format_html('<span lang="ko">{}</span>', value)
    return conditional_escape(value)


@register.filter
def lang_attr(obj, field: str):
    """` lang="ko"` for an element whose bilingual text falls back to Korean on a non-Korean page."""
    language = (get_language() or "ko")[:2]
    if language != "ko" and getattr(obj, field, "") and not getattr(obj, f"{field}_{language}", None):
        return mark_safe(' lang="ko"')
    return ""


# Endings that make a place name official without changing which place it is ("세종시" is 세종).
_PLACE_ENDINGS = (
    "특별자치시",
    "특별자치도",
    "광역시",
    "특별시",
    "시",
    "도",
    " Metropolitan City",
    " City",
    " Province",
)


def _bare_place(name: str) -> str:
    name = name.strip()
    for ending in _PLACE_ENDINGS:
        if name.endswith(ending) and len(name) > len(ending):
            return name[: -len(ending)].strip().casefold()
    return name.casefold()


@register.filter
def place(organization):
    """Where an organization is from: "Gyeonggi · Suwon", but "Sejong", not "Sejong · Sejong"."""
    region = organization.get_region_display()
    municipality = getattr(organization, "municipality", "")
    if not municipality or _bare_place(municipality) == _bare_place(str(region)):
        return region
    return format_html("{} · {}", region, bi(organization, "municipality"))


@register.filter
def source_ref(ref):
    """A footnote reference to the page's numbered list of sources: "[2]", read as "source 2"."""
    if not ref:
        return ""
    markup = '<a class="source-ref" href="#source-{}"><span class="visually-hidden">{} </span>[{}]</a>'
    return format_html(markup, ref, _("source"), ref)
