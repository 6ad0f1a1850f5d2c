"""Production: behind HTTPS, on PostgreSQL, served by gunicorn (see gunicorn.conf.py).

Required environment (start-up stops with a message naming the one that is missing):
  DJANGO_SECRET_KEY      a long random string, no default
  DJANGO_ALLOWED_HOSTS   comma-separated host names, e.g. policy.jeonju.go.kr
  DATABASE_URL           postgres://user:password@host:5432/name

Optional: DJANGO_BEHIND_PROXY (the proxy sets X-Forwarded-Proto; then DJANGO_PROXY_COUNT is required),
DJANGO_SECURE_SSL_REDIRECT, DJANGO_HSTS_SECONDS, DJANGO_HSTS_PRELOAD, REDIS_URL,
DJANGO_ADMIN_URL, DJANGO_CSRF_TRUSTED_ORIGINS, AXES_FAILURE_LIMIT, AXES_COOLOFF_HOURS.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def required(name: str, meaning: str) -> str:
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} is required in production ({meaning}); "
            "set it before starting the site. See README.md, section Deployment."
        )
    return value


DEBUG = False
SECRET_KEY = required(
    "DJANGO_SECRET_KEY",
    "a long random secret, e.g. from `python -c 'import secrets; print(secrets.token_urlsafe(64))'`",
)
ALLOWED_HOSTS = [host.strip() for host in required("DJANGO_ALLOWED_HOSTS", "comma-separated host names").split(",")]
# base.py already built DATABASES (and the psycopg pool options) from DATABASE_URL; production
# must never fall back to the SQLite default.
required("DATABASE_URL", "postgres://user:password@host:5432/dbname")
if DATABASES["default"]["ENGINE"] != "jeonju.db.backends.postgresql":  # noqa: F405
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production (postgres://…).")

# --- HTTPS ------------------------------------------------------------------------------
# Behind a reverse proxy that terminates TLS, the proxy must set X-Forwarded-Proto (and strip
# any value the client sent); only then may Django trust it.
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Behind a proxy every client shares the proxy's address unless the login lockout reads
    # X-Forwarded-For: with the count left unset, anyone could lock any staff account.
    if not env.str("DJANGO_PROXY_COUNT", default="").strip():
        raise ImproperlyConfigured(
            "DJANGO_BEHIND_PROXY is set, so DJANGO_PROXY_COUNT must be set too: the number of "
            "proxies in front of the site that append the client's address to X-Forwarded-For "
            "(1 for one nginx or load balancer; 0 only if the connection's own address is the "
            "client's, e.g. gunicorn with the PROXY protocol). See README.md, section Deployment."
        )
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# The load balancer's health checks may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

# --- Static files: hashed names (cached forever by browsers) and gzip/brotli copies --------
# Run `python manage.py collectstatic --noinput` at deploy time; WhiteNoise serves the result.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Logging: everything to stderr, which gunicorn and systemd/containers collect ----------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.security": {"level": "WARNING"}},
}
