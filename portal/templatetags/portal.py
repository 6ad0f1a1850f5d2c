"""Template filters: numbers as citizens read them, and the plain facts the templates need to
mark up bilingual text and places (the markup itself is in the templates)."""

from django import template
from django.utils.translation import get_language

from portal.attainment import day_words, sentence
from portal.charts import about, format_krw, format_number, with_unit
from programs.models import Unit

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
def korean_fallback(obj, field: str) -> bool:
    """Whether a bilingual field shows its Korean text on a page in another language, having no
    translation: the template then marks it `lang="ko"` so screen readers switch voice (KWCAG
    "language of parts")."""
    language = (get_language() or "ko")[:2]
    return language != "ko" and bool(getattr(obj, field, "")) and not getattr(obj, f"{field}_{language}", None)


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
def municipality_shown(organization) -> bool:
    """Whether an organization's municipality adds to its region: "Gyeonggi · Suwon", but "Sejong",
    not "Sejong · Sejong"."""
    municipality = getattr(organization, "municipality", "")
    return bool(municipality) and _bare_place(municipality) != _bare_place(str(organization.get_region_display()))


@register.filter
def attainment(row) -> str:
    """A target's attainment in words, its values in the indicator's unit (portal.attainment)."""
    language = (get_language() or "ko")[:2]
    indicator = row.indicator
    if indicator.unit == Unit.KRW:
        return sentence(row.attainment, lambda value, approx: _about(format_krw(value, language), approx))
    unit = indicator.unit_after_number
    return sentence(row.attainment, lambda value, approx: with_unit(value, unit, approximate=approx))


def _about(text: str, approximate: bool) -> str:
    return about(text) if approximate else text


@register.filter
def day(value) -> str:
    """A date in words of the page's language: "2019-10-21" in Korean, "21 October 2019" in English."""
    return day_words(value) if value else ""


@register.filter
def tel_href(phone: str) -> str:
    """A phone number as a tel: link's address: "063-222-1000" -> "tel:063-222-1000" (digits,
    "+" and hyphens kept, spaces and the rest dropped, as a URL allows no space)."""
    return "tel:" + "".join(c for c in str(phone) if c.isdigit() or c in "+-")
