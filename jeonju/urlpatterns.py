"""`reverse()` for the addresses a list page names once a row: resolved once per URL name and
language, then filled in, at a fraction of reverse()'s cost (about 20 µs a call)."""

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_PLACEHOLDER = "--slug--"  # matches <slug:...>, and no real prefix contains it
_patterns: dict[tuple, str] = {}


def reverse_slug(viewname: str, slug: str) -> str:
    """reverse(viewname, args=[slug]) for a URL pattern whose one argument is a <slug:...>."""
    key = (viewname, get_language(), get_urlconf(), get_script_prefix())
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = _patterns[key] = reverse(viewname, args=[_PLACEHOLDER])
    return pattern.replace(_PLACEHOLDER, slug)
