"""The public pages' cache, out of date the moment staff change data.

`@cache_public_page` marks a view's pages for the cache, and `PublicPageCacheMiddleware` serves
and stores them with Django's own machinery (`get_cache_key` and `learn_cache_key`: keys from the
absolute URI, so scheme, host, script prefix, path and query; the Vary headers; the language),
under a key prefix holding the data *generation*: a number in the shared cache that every save,
delete or many-to-many change in the policies, programs and visits apps bumps, and so does a
change of the site's own texts (portal.SiteContact, portal.SitePage), so pages cached before a
change are never looked up again. Writes that bypass model signals
(bulk_create, QuerySet.update, COPY) call `bump_generation()` themselves.

Unlike `cache_page`, it tells no browser or proxy to keep a page (no Expires, no max-age: a change
must show at once), drops the query parameters a page does not read before the view runs, caches
nothing personal, lets one client store only PUBLIC_PAGE_CACHE_STORES_PER_MINUTE new pages a
minute, renders uncached when the cache is down, and marks its answers `X-Cache: hit|miss`. The
one `{% cache %}` fragment (the visit list's totals and charts) is keyed by `fragment_key()`.
"""

import functools
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import QueryDict
from django.urls import get_script_prefix
from django.utils.cache import get_cache_key, has_vary_header, learn_cache_key
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views import View

logger = logging.getLogger("portal.cache")

PORTAL_APPS = {"policies", "programs", "visits"}
# Rows of those apps no public page shows: a visit request is private until it becomes a visit.
PRIVATE_MODELS = {
    "visits.visitrequest",
    "visits.historicalvisitrequest",
    "visits.visitrequest_programs",
    # the record of an import: the rows it wrote bump the generation themselves
    "programs.importbatch",
    "programs.importupload",
}
# The site's own texts, on every page (the header's and the footer's contact details) or their own.
SITE_TEXT_MODELS = {"portal.sitecontact", "portal.sitepage"}
GENERATION_KEY = "portal:data-generation"
# Query strings longer than this are served but not cached (no one types them; a flood of
# random long ones must not push the real pages out of the cache).
MAX_CACHED_QUERY_LENGTH = 512


def generation() -> int:
    """The current data generation, created on first use.

    It starts from the clock (in ms), so a generation key lost to an eviction or a Redis restart
    comes back as a larger number and can never revive pages cached under an older one.
    """
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, int(time.time() * 1000), timeout=None)
        value = cache.get(GENERATION_KEY)
    return int(value)


def bump_generation() -> None:
    """Mark every cached page and fragment as out of date."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the key does not exist (yet, or any more)
        cache.set(GENERATION_KEY, int(time.time() * 1000), timeout=None)
    except Exception:  # the cache server is down: nothing cached can be served either
        logger.warning("Could not bump the cache generation", exc_info=True)


def _data_changed(sender, **kwargs):
    label = sender._meta.label_lower
    if (sender._meta.app_label not in PORTAL_APPS and label not in SITE_TEXT_MODELS) or label in PRIVATE_MODELS:
        return
    # At once, so this process (and this transaction's own later reads) see the change; and
    # again after the commit, because another process may have cached the old rows under the
    # new generation between the save and the commit.
    bump_generation()
    transaction.on_commit(bump_generation)


def connect_signals() -> None:
    """Called by portal's AppConfig, so every process (web workers, management commands, the
    shell) bumps the generation when it changes data, not only those that serve pages."""
    post_save.connect(_data_changed, dispatch_uid="portal.cache.post_save")
    post_delete.connect(_data_changed, dispatch_uid="portal.cache.post_delete")
    m2m_changed.connect(_data_changed, dispatch_uid="portal.cache.m2m_changed")


def fragment_key() -> str:
    """What a `{% cache %}` fragment's key must hold besides its own parts: the data generation,
    and the script prefix, which reverse() puts in each link the fragment holds."""
    return f"{generation()}:{get_script_prefix()}"


def _bypass(request) -> bool:
    """Requests whose answer may be personal: staff (or anyone with a session), flash messages,
    anything but a plain GET, and absurdly long query strings."""
    return (
        request.method != "GET"
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "messages" in request.COOKIES
        or len(request.META.get("QUERY_STRING", "")) > MAX_CACHED_QUERY_LENGTH
    )


def _cacheable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A CSRF token was put in the page: it is per visitor and comes with a cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "session", None), "accessed", False)
        and "private" not in response.get("Cache-Control", "")
        # Django would key such a page by the whole Cookie header: one entry per visitor.
        and not has_vary_header(response, "Cookie")
    )


def _keep_params(request, params: frozenset[str] | None = None) -> bool:
    """Drop the query parameters the page does not read (all are kept with `params` None), and put
    the rest in one order, so that what the view sees, and so the page and its key, is the same for
    every spelling of a query. Says whether the query string changed."""
    kept = sorted(
        ((key, value) for key, values in request.GET.lists() if params is None or key in params for value in values),
        key=lambda item: item[0],  # by name only: a parameter's values keep their order
    )
    query = urlencode(kept)
    if query == request.META.get("QUERY_STRING", ""):
        return False
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)
    return True


def _may_store(request) -> bool:
    """Whether this client may add one more page to the cache this minute."""
    from jeonju.middleware import client_ip

    limit = settings.PUBLIC_PAGE_CACHE_STORES_PER_MINUTE
    if not limit:
        return True
    key = f"portal:stores:{client_ip(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    return cache.incr(key) <= limit


def _cached(request, prefix: str):
    """The page cached for this request's address, language and Vary headers, or None."""
    key = get_cache_key(request, prefix, cache=cache)
    response = cache.get(key) if key else None
    if response is not None:
        response["X-Cache"] = "hit"
    return response


class PublicPageCacheMiddleware:
    """Serves the public pages from the cache, and stores the pages `@cache_public_page` rendered.

    It sits right after LocaleMiddleware (the language is part of the key), so a page in the cache
    is answered before URL resolution and the CSRF, authentication, messages, history and axes
    middleware, none of which an anonymous GET of a cached page needs. It stores a page once those
    middleware have added their headers (Content-Length, X-Frame-Options), so a hit carries them.
    The middleware outside it (security, CSP, permissions policy, session, locale) run on every
    answer, as for any response.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PUBLIC_PAGE_CACHE_SECONDS or _bypass(request):
            return self.get_response(request)
        # In one order, so that a filter form's fields, submitted in the form's order, find the
        # page stored under its key. The view reads the same parameters in any order.
        _keep_params(request)
        try:
            prefix = f"portal.{generation()}"
            response = _cached(request, prefix)
        except DisallowedHost:
            return self.get_response(request)  # CommonMiddleware answers it with a 400
        except Exception:
            logger.warning("Cache unavailable; rendering %s", request.path, exc_info=True)
            return self.get_response(request)
        if response is not None:
            return response
        # The generation read before the page is built: data changed while it renders makes a
        # newer generation, so the page can only be stored as out of date, never as current.
        request.public_page_cache_prefix = prefix
        response = self.get_response(request)
        if not getattr(request, "public_page_rendered", False):
            return response  # not a public page, or a hit for another spelling of the address
        if _cacheable(request, response):
            timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
            try:
                if _may_store(request):
                    cache.set(learn_cache_key(request, response, timeout, prefix, cache=cache), response, timeout)
            except Exception:
                logger.warning("Cache unavailable; %s not stored", request.path, exc_info=True)
        response["X-Cache"] = "miss"
        return response


def _cache_view(view: Callable, params: frozenset[str]) -> Callable:
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        respelled = _keep_params(request, params)
        # Set by PublicPageCacheMiddleware when it looked the address up as typed and found
        # nothing; another spelling of the same page may still be in the cache.
        prefix = getattr(request, "public_page_cache_prefix", None)
        if prefix and respelled:
            try:
                response = _cached(request, prefix)
            except Exception:
                logger.warning("Cache unavailable; rendering %s", request.path, exc_info=True)
                response = None
            if response is not None:
                return response
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
        request.public_page_rendered = True
        return response

    return wrapped


def _params_read_by(view) -> frozenset[str]:
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        return frozenset({*filterset_class.base_filters, "page"})
    return frozenset({"page"} if getattr(view, "paginate_by", None) else ())


def cache_public_page(view=None, *, params: tuple[str, ...] | None = None):
    """Cache a public view's pages per Django's cache key (absolute URI, Vary headers, language)
    and data generation; PublicPageCacheMiddleware stores and serves them.

    `params` names the query parameters the view reads; by default a FilterView's filters and
    `page`, `page` for a paginated view, none otherwise. Works on a function view and on a
    class-based view (decorate the class). Pages for anyone with a session (staff), pages that
    set a cookie or carry a CSRF token, and errors are never cached.
    """
    if view is None:
        return functools.partial(cache_public_page, params=params)
    read = frozenset(params) if params is not None else _params_read_by(view)
    if isinstance(view, type) and issubclass(view, View):
        return method_decorator(functools.partial(_cache_view, params=read), name="dispatch")(view)
    return _cache_view(view, read)
