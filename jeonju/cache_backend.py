"""Django's Redis cache, failing fast while Redis is down or not answering.

A page makes several cache calls (the generation, the page, its fragments). With socket timeouts
alone (REDIS_SOCKET_TIMEOUT), a Redis that accepts connections but never answers would still cost
every one of those calls the timeout. So after a call fails on the connection, every call raises
CacheUnavailable at once for a second, then one call tries Redis again (jeonju/circuit_breaker.py;
the state is per process). Callers handle it as any cache failure: portal/cache.py renders the
page uncached.
"""

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from redis.exceptions import ConnectionError, TimeoutError

from jeonju.circuit_breaker import CircuitBreaker

RETRY_SECONDS = 1.0

# One breaker per Redis location, shared by the cache objects of all threads of the process.
_breakers: dict[tuple[str, ...], CircuitBreaker] = {}


class CacheUnavailable(ConnectionError):
    """Redis was not tried: it failed less than a second ago."""


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        servers = tuple(self._servers)
        self._breaker = _breakers.setdefault(servers, CircuitBreaker(f"Redis {','.join(servers)}", RETRY_SECONDS))

    def _call(self, method, *args):
        if not self._breaker.allow():
            raise CacheUnavailable(f"Redis failed recently; next try in {self._breaker.seconds_to_next_probe():.1f} s")
        try:
            result = method(*args)
        except (ConnectionError, TimeoutError):
            self._breaker.record_failure()
            raise
        self._breaker.record_success()
        return result

    # Every method of Django's RedisCache that talks to Redis; the others (get_or_set, decr,
    # the async ones) go through these.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        return self._call(super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, keys, version)

    def clear(self):
        return self._call(super().clear)
