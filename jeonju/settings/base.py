"""Settings shared by every environment; each value is read once from the environment.

With no DATABASE_URL the site runs on SQLite in the project folder, so a fresh clone
works at once; with DATABASE_URL=postgres://… it runs on PostgreSQL through psycopg 3
and Django's connection pool.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin so its translated fields show there.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    "csp",
    "jeonju.apps.AxesConfig",  # django-axes, with a Korean name in the admin
    "django_ratelimit",
    "policies",
    "programs",
    "visits",
    # The public site, over the data apps (portal/apps.py connects what keeps its cache and figures).
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Database down -> a friendly 503 (inside the security and CSP headers, outside the rest).
    "jeonju.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A cached public page is answered here, in its language, before everything below.
    "portal.cache.PublicPageCacheMiddleware",
    # the admin (no language prefix) in the language its user chose in the admin's switch
    "jeonju.middleware.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes: last, so it turns a lockout flagged during the login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jeonju.urls"
WSGI_APPLICATION = "jeonju.wsgi.application"
ASGI_APPLICATION = "jeonju.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with the pool behind a circuit breaker: while the database is down,
    # requests get their 503 at once instead of each waiting out the pool timeout.
    DATABASES["default"]["ENGINE"] = "jeonju.db.backends.postgresql"
    # psycopg 3's pool, managed by Django (5.1+): a request borrows a warm connection
    # instead of paying for a new one.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not.
    # The pool checks a connection before lending it (one empty round trip), so the first
    # requests after a database restart get fresh connections rather than dead ones and a 503.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_HEALTH_CHECKS", default=True)
    # The pages run short queries, where PostgreSQL's JIT compilation costs more than it saves
    # (bench/README.md); set DATABASE_JIT=on to give it back.
    if not env.bool("DATABASE_JIT", default=False):
        DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # A Redis that does not answer must cost a page well under a second: short socket timeouts,
    # and a backend that skips Redis for a second after a failed call (jeonju/cache_backend.py).
    REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
    CACHES = {
        "default": {
            "BACKEND": "jeonju.cache_backend.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="jeonju"),
            "OPTIONS": {"socket_connect_timeout": REDIS_SOCKET_TIMEOUT, "socket_timeout": REDIS_SOCKET_TIMEOUT},
        }
    }
    # django-ratelimit knows only Django's own class by name; ours is that class with a breaker.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process (make run, the tests): its own memory is the cache every request shares.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Auth -----------------------------------------------------------------------------
# django-axes first: it refuses a locked-out login before the model backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Repeated failed logins (the admin's) lock that username from that address for a while.
# Kept in the database, so every app process sees the same count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A lockout ends a cool-off after it began: attempts refused during it do not start it again,
# or anyone could keep a staff account locked for good by retrying its username.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Behind N trusted reverse proxies (DJANGO_PROXY_COUNT=N) the client address is read from
# X-Forwarded-For as the proxies appended it, never from what the client itself sent.
PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "jeonju.middleware.client_ip"

# A staff login lasts a working day and ends when the browser closes (the session is kept in
# the database, so every app server sees the same expiry).
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_SECONDS", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages ------------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
# "2019. 10. 21." in Korean, "21 Oct 2019" in English, for `{{ day|date }}` (jeonju/formats).
FORMAT_MODULE_PATH = ["jeonju.formats"]
USE_I18N = True
USE_TZ = True
MODELTRANSLATION_DEFAULT_LANGUAGE = "ko"
MODELTRANSLATION_LANGUAGES = ("ko", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("ko",)

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security headers -----------------------------------------------------------------
# A strict Content-Security-Policy in every environment (django-csp 4 format): no inline
# script or style anywhere, so templates must use static files (charts are inline SVG with
# presentation attributes, not style="..."). The Django admin works under it: its scripts
# are static files; only two cosmetic style="" attributes in the import-export and history
# screens are ignored by the browser.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
# Permissions-Policy (django-permissions-policy): the portal uses none of these browser
# features, so no page, nor anything injected into one, may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Uploads --------------------------------------------------------------------------
# Form fields (not files) above this are refused with a 400; uploaded files above
# FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary file instead of held in memory.
# The CSV importer refuses files above CSV_UPLOAD_MAX_BYTES (below) with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)

# --- Portal ---------------------------------------------------------------------------
# How long a rendered public page may be served from the cache (portal/cache.py); a change of
# the data invalidates it at once anyway. 0 switches page caching off.
PUBLIC_PAGE_CACHE_SECONDS = env.int("PUBLIC_PAGE_CACHE_SECONDS", default=600)
# How long the expensive parts of a page (aggregates, charts, filter forms, paginator counts)
# may be reused by the pages that are rendered afresh; invalidated with the data as well.
# 0 switches fragment caching off.
PUBLIC_FRAGMENT_CACHE_SECONDS = env.int("PUBLIC_FRAGMENT_CACHE_SECONDS", default=600)
# How many new pages one client address may add to the page cache a minute; beyond it, its
# pages are rendered but not stored (random query strings must not fill the shared cache).
# 0: no limit.
PUBLIC_PAGE_CACHE_STORES_PER_MINUTE = env.int("PUBLIC_PAGE_CACHE_STORES_PER_MINUTE", default=120)
ADMIN_URL = env("DJANGO_ADMIN_URL", default="admin/")
# CSV uploads larger than this are refused before they are parsed.
CSV_UPLOAD_MAX_BYTES = env.int("CSV_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# An admin import's uploaded file waits this long for its confirmation (programs/uploads.py).
IMPORT_UPLOAD_MAX_AGE_SECONDS = env.int("IMPORT_UPLOAD_MAX_AGE_SECONDS", default=3600)
# How long a metric import waits for another to finish before it is refused (PostgreSQL).
IMPORT_LOCK_TIMEOUT_SECONDS = env.float("IMPORT_LOCK_TIMEOUT_SECONDS", default=60)
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}

# --- The visit desk ---------------------------------------------------------------------
# E-mail: the console locally (make run needs nothing), SMTP in production from EMAIL_URL,
# e.g. smtp+tls://user:password@smtp.example.org:587 (django-environ's email_url).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="webmaster@localhost")
# Requests one address may send an hour (django-ratelimit, counted in the shared cache, so
# every app server agrees); beyond it, a friendly 429 page.
VISIT_REQUESTS_PER_HOUR = env.int("VISIT_REQUESTS_PER_HOUR", default=5)
# A request's personal data (contact name, e-mail, phone) is erased this many days after the
# visit, or after the request was closed without one (manage.py purge_visit_requests).
VISIT_REQUEST_RETENTION_DAYS = env.int("VISIT_REQUEST_RETENTION_DAYS", default=365)
# Days after a visit is done when its body is asked what it took home (send_visit_followups).
VISIT_FOLLOWUP_DAYS = env.int("VISIT_FOLLOWUP_DAYS", default=90)
# The address the desk's e-mails link to, from commands that have no request to read it from.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
