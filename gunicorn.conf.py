"""gunicorn settings for the portal: `gunicorn jeonju.wsgi` reads this file from the project root.

    DJANGO_SETTINGS_MODULE=jeonju.settings.production gunicorn jeonju.wsgi
    (Procfile style:  web: gunicorn jeonju.wsgi)

Everything is read from the environment:
  GUNICORN_BIND           address to listen on (default 127.0.0.1:8000, behind the proxy)
  WEB_CONCURRENCY         worker processes (default 2 × CPU cores + 1)
  GUNICORN_THREADS        threads per worker (default 1: sync workers)
  FORWARDED_ALLOW_IPS     proxies whose X-Forwarded-Proto header is trusted (default 127.0.0.1,::1)
  GUNICORN_TIMEOUT        seconds before a stuck worker is restarted (default 30)
  GUNICORN_ACCESS_LOG     access log file, "-" for stdout (default), "" to switch it off
"""

import multiprocessing
import os

wsgi_app = "jeonju.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Load Django once in the master, then fork: faster start, shared memory pages.
preload_app = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# From those addresses gunicorn would also take SCRIPT_NAME and PATH_INFO from request headers,
# which a client can send through a proxy that does not strip them: the site is served at the
# root, so none is taken. Of the scheme headers only X-Forwarded-Proto, which the proxy sets
# (overwriting the client's), marks a request as HTTPS.
forwarder_headers = ""
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers after this many requests so a slow leak can never take a server down
# (0: never; the benchmark runs without, a restart mid-run would distort it).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


def pre_fork(server, worker):
    """No database connection or connection pool may be shared across the fork."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()
