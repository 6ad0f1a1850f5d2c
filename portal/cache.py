"""Caching of the expensive public pages and fragments, invalidated the moment staff change data.

Every cached entry's key carries a data *generation* number kept in the shared cache (Redis when
REDIS_URL is set, so all app processes and servers agree; local memory otherwise). Any save,
delete or many-to-many change of a portal model (the policies, programs and visits apps) bumps
the generation, so every page cached before the change is simply never looked up again and ages
out; the next request renders fresh data. Nothing is deleted by pattern and nothing assumes a
single process.

Writes that bypass model signals (bulk_create, QuerySet.update, COPY) must call
`bump_generation()` themselves once they are done.

Use on a view:

    @cache_public_page
    class ProgramListView(FilterView): ...

A page's key is made only of what its output depends on: the scheme, host, script prefix, path,
language and the query parameters the page reads (a FilterView's filters and `page`; others
are dropped from the request before the view runs, so `?utm=…` or random parameters neither
change the page nor add cache entries). One client may store only so many new pages a minute
(PUBLIC_PAGE_CACHE_STORES_PER_MINUTE); beyond that its pages are rendered but not kept.

or on a function view. Pages live PUBLIC_PAGE_CACHE_SECONDS. Where a part of a page is worth
keeping across the pages of one list (the visit list's totals and charts), the template caches it
with Django's `{% cache %}` tag, keyed by `fragment_key()` (PUBLIC_FRAGMENT_CACHE_SECONDS).
"""

import functools
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, QueryDict
from django.urls import get_script_prefix
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views import View

logger = logging.getLogger("portal.cache")

PORTAL_APPS = {"policies", "programs", "visits"}
GENERATION_KEY = "portal:data-generation"
# Query strings longer than this are served but not cached (no one types them; a flood of
# random long ones must not push the real pages out of the cache).
MAX_CACHED_QUERY_LENGTH = 512
_HEADERS_NOT_CACHED = {"set-cookie", "content-length"}


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
    if sender._meta.app_label not in PORTAL_APPS:
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


def _key(*parts: Any) -> str:
    # The script prefix is in every key: reverse() puts it in each link a page holds.
    parts = (get_script_prefix(), *parts)
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"portal:{generation()}:{digest}"


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
    )


def _page_key(request) -> str:
    # The scheme: downloads carry absolute links (http:// or https://).
    return _key("page", request.scheme, request.get_host(), request.get_full_path(), get_language())


def _keep_params(request, params: frozenset[str]) -> None:
    """Drop the query parameters the page does not read, and put the rest in one order, so that
    what the view sees, and so the page and its key, is the same for every spelling of a query."""
    kept = sorted(
        ((key, value) for key, values in request.GET.lists() if key in params for value in values),
        key=lambda item: item[0],
    )
    query = urlencode(kept)
    if query != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)


def _may_store(request) -> bool:
    """Whether this client may add one more page to the cache this minute."""
    from jeonju.middleware import client_ip

    limit = settings.PUBLIC_PAGE_CACHE_STORES_PER_MINUTE
    if not limit:
        return True
    key = f"portal:stores:{client_ip(request)}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    return cache.incr(key) <= limit


def _from_cache(entry) -> HttpResponse:
    status, headers, content = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


def _cache_view(view: Callable, params: frozenset[str]) -> Callable:
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        _keep_params(request, params)
        timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not timeout or _bypass(request):
            return view(request, *args, **kwargs)
        try:
            key = _page_key(request)
            entry = cache.get(key)
        except Exception:
            logger.warning("Cache unavailable; rendering %s", request.path, exc_info=True)
            return view(request, *args, **kwargs)
        if entry is not None:
            response = _from_cache(entry)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()
        if _cacheable(request, response):
            headers = [(k, v) for k, v in response.items() if k.lower() not in _HEADERS_NOT_CACHED]
            try:
                if _may_store(request):
                    cache.set(key, (response.status_code, headers, response.content), timeout)
            except Exception:
                logger.warning("Cache unavailable; %s not stored", request.path, exc_info=True)
        response["X-Cache"] = "miss"
        return response

    return wrapped


def _params_read_by(view) -> frozenset[str]:
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is not None:
        return frozenset({*filterset_class.base_filters, "page"})
    return frozenset({"page"} if getattr(view, "paginate_by", None) else ())


def cache_public_page(view=None, *, params: tuple[str, ...] | None = None):
    """Cache a public view's page per (scheme, host, script prefix, path, the query parameters
    it reads, language, data generation).

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
