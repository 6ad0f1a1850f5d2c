"""The test suite: fast hashing, plain static storage, in-memory cache."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-axes refuses authenticate() calls without a request (the test client's login());
# the lockout tests switch it on with override_settings(AXES_ENABLED=True).
AXES_ENABLED = False
# Cached pages and fragments would outlive each test's rolled-back data; tests/test_cache.py
# switches them on.
PUBLIC_PAGE_CACHE_SECONDS = 0
PUBLIC_FRAGMENT_CACHE_SECONDS = 0
# WhiteNoise looks for STATIC_ROOT at start-up; tests serve from the finders instead.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
