"""Template filters for numbers as citizens read them."""

from django import template
from django.utils.translation import get_language

from jeonju.charts import format_krw, format_number

register = template.Library()


@register.filter
def num(value):
    """84.00 -> 84, 1240 -> 1,240; empty for None."""
    return format_number(value) if value is not None and value != "" else ""


@register.filter
def krw(value):
    """An amount in won: "50억 원" in Korean, "KRW 5 bn" in English."""
    return format_krw(value, (get_language() or "ko")[:2])
