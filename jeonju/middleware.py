"""Request plumbing that belongs to no app: the database-down answer and the client address.

When PostgreSQL is unreachable (restart, failover, network blip, a pool that cannot hand out a
connection in time), every public page would otherwise be a 500 with a logged traceback. The
middleware answers a friendly, self-contained 503 with Retry-After instead, rendered without
touching the database. While the database is known to be down, the project's PostgreSQL backend
(jeonju/db/backends/postgresql) refuses connections at once, so the 503 comes at once too; the
pool and the backend's circuit breaker try the database every second, so the site recovers by
itself within about a second of the database being back.
"""

import base64
import hashlib
import logging
import re
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger("jeonju.database")

# Django wraps driver errors (psycopg's, and psycopg_pool.PoolTimeout, a psycopg
# OperationalError) into these two; the raw driver classes are listed too for errors raised
# outside Django's wrapper (e.g. while a pooled connection is handed out).
DATABASE_DOWN_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
try:  # pragma: no cover - psycopg is a hard dependency, but SQLite-only installs may lack it
    import psycopg

    DATABASE_DOWN_ERRORS += (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # pragma: no cover
    pass

RETRY_AFTER_SECONDS = 30
_STYLE_RE = re.compile(r"<style>(.*?)</style>", re.S)


def database_unavailable_response() -> HttpResponse:
    """The 503 page: static HTML, bilingual, no context processors (they could query the DB)."""
    html = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # The page carries its own small stylesheet so it needs nothing else from the server; the
    # strict CSP lets exactly that stylesheet in by its hash (no 'unsafe-inline').
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'"
        for css in _STYLE_RE.findall(html)
    ]
    if hashes:
        response._csp_update = {"style-src": hashes}
    return response


class DatabaseUnavailableMiddleware:
    """Turn "the database is unreachable" into a 503 page, wherever below it the error arose."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except DATABASE_DOWN_ERRORS:  # only reachable if an inner layer lets exceptions through
            self._log(request)
            return database_unavailable_response()
        # An inner middleware (e.g. saving the session) failed: Django already turned the
        # exception into a 500; the signal receiver below flagged the request.
        if response.status_code == 500 and getattr(request, "_database_unavailable", False):
            return database_unavailable_response()
        return response

    def process_exception(self, request, exception):
        """Errors raised by the view or while rendering its template."""
        if isinstance(exception, DATABASE_DOWN_ERRORS):
            self._log(request, exception)
            return database_unavailable_response()
        return None

    @staticmethod
    def _log(request, exception=None):
        logger.warning("Database unavailable while serving %s: %s", request.path, exception or sys.exc_info()[1])


@receiver(got_request_exception, dispatch_uid="jeonju.middleware.flag_database_down")
def _flag_database_down(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_DOWN_ERRORS):
        request._database_unavailable = True


def client_ip(request) -> str | None:
    """The client's address, for django-axes.

    Without proxies it is REMOTE_ADDR. Behind DJANGO_PROXY_COUNT=N trusted proxies, each proxy
    appends the address it saw to X-Forwarded-For, so the client is the N-th entry from the
    right; entries further left were written by the client and cannot be trusted.
    """
    count = settings.PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


class AdminLanguageMiddleware:
    """The admin in the language its user chose, Korean unless they chose English.

    The admin is under no language prefix, and LocaleMiddleware gives every unprefixed address
    the default language (the public site's Korean pages are unprefixed), whatever the cookie
    says. The admin's language switch posts to Django's set_language, which keeps the choice in
    the language cookie; here that cookie wins for the admin's addresses.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = f"/{settings.ADMIN_URL}"

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.path_info.startswith(self.prefix) and chosen in dict(settings.LANGUAGES):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)
