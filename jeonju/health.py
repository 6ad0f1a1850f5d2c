"""Health checks for the load balancer, and the trivial view the load benchmark measures.

`/healthz` answers "ok" without touching the database or the session: it is the framework's
own ceiling in bench/load_bench.py, and a liveness check. `/readyz` also asks the database
(SELECT 1) so a load balancer can take an app server out while its database is unreachable; while
the database backend's circuit breaker is open (jeonju/db/backends/postgresql) it answers 503 at once.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from jeonju.middleware import DATABASE_DOWN_ERRORS


@never_cache
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_DOWN_ERRORS:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
