"""Context every public page needs: the main navigation, the language switch and the site's
contact details (the header's link to the city's website, the footer's department and address)."""

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from portal.models import SiteContact

NAVIGATION = [
    ("home", "home", _("Home")),
    ("policies", "policies:list", _("Policies")),
    ("programs", "programs:list", _("Programs")),
    ("visits", "visits:list", _("Benchmarking visits")),
    ("indicators", "indicators:list", _("Indicators")),
]

LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}


def _other_language_url(request, code: str) -> str:
    """The current page (query string kept) in the language `code`, or that language's home page.

    Built from the path alone, its leading slashes collapsed to one: a request for
    `//evil.example/programs/` must not give `//evil.example/en/programs/`, which a browser reads
    as another site (translate_url takes the part after `//` for a host).
    """
    path = "/" + request.get_full_path().lstrip("/")
    current = get_language()
    if code == current:
        return path
    translated = translate_url(path, code)
    if translated != path:
        return translated
    # translate_url hands back the path unchanged when it cannot resolve it (a 404 page).
    with override(code):
        return reverse("home")


def portal(request):
    match = getattr(request, "resolver_match", None)
    section = ""
    if match is not None:
        section = match.namespace or match.url_name or ""
    nav = [
        {"key": key, "url": reverse(url_name), "label": label, "current": key == section}
        for key, url_name, label in NAVIGATION
    ]
    current = get_language()
    languages = [
        {
            "code": code,
            "name": LANGUAGE_NAMES.get(code, code),
            "url": _other_language_url(request, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {
        "main_nav": nav,
        "language_links": languages,
        # Read only by a page that shows it (one query; none for a page served from the cache).
        "site_contact": SimpleLazyObject(lambda: SiteContact.objects.filter(pk=1).first()),
    }
