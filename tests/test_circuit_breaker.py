"""The circuit breakers in front of the database pool and the Redis cache, without a server: a
closed port stands for a database that refuses connections, a silent socket for a hung Redis."""

import time
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import override_settings
from psycopg_pool import PoolTimeout

from jeonju.cache_backend import CacheUnavailable
from jeonju.circuit_breaker import CircuitBreaker
from jeonju.db.backends.postgresql.base import CircuitBreakerPool, DatabaseUnavailable
from tests.faults.servers import free_port, silent_tcp_server


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_an_open_breaker_refuses_and_lets_one_caller_a_second_probe():
    clock = Clock()
    breaker = CircuitBreaker("test", retry_seconds=1.0, clock=clock)
    assert breaker.allow() and breaker.allow()
    breaker.record_failure()
    assert breaker.is_open and not breaker.allow()
    clock.now += 0.5
    assert not breaker.allow()
    clock.now += 0.5
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # only one
    breaker.record_failure()  # the probe failed: another second
    clock.now += 0.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.allow()
    breaker.record_success()
    assert not breaker.is_open and breaker.allow() and breaker.allow()


def test_a_success_while_closed_changes_nothing():
    breaker = CircuitBreaker("test", clock=Clock())
    breaker.record_success()
    assert not breaker.is_open


@pytest.fixture
def refusing_pool():
    pool = CircuitBreakerPool(f"host=127.0.0.1 port={free_port()} dbname=x", min_size=2, timeout=10, open=True)
    yield pool
    pool.close()


def seconds(call) -> tuple[type[BaseException], float]:
    started = time.monotonic()
    with pytest.raises(Exception) as error:
        call()
    return error.type, time.monotonic() - started


def test_a_refused_database_fails_the_first_request_quickly_and_the_next_ones_at_once(refusing_pool):
    error, took = seconds(refusing_pool.getconn)
    assert error is PoolTimeout and took < 1.0  # not the pool timeout of 10 s
    assert refusing_pool.breaker.is_open
    for _ in range(5):
        error, took = seconds(refusing_pool.getconn)
        assert error is DatabaseUnavailable and took < 0.05


def test_the_open_breaker_lets_one_request_a_second_try_again(refusing_pool):
    seconds(refusing_pool.getconn)
    time.sleep(1.05)
    error, took = seconds(refusing_pool.getconn)  # the probe: it tries, briefly
    assert error is PoolTimeout and took < 0.5
    assert seconds(refusing_pool.getconn)[0] is DatabaseUnavailable


def test_django_turns_the_refusal_into_its_operational_error_so_the_middleware_answers_503():
    import psycopg
    from django.db.utils import DatabaseErrorWrapper, OperationalError

    with pytest.raises(OperationalError), DatabaseErrorWrapper(SimpleNamespace(Database=psycopg)):
        raise DatabaseUnavailable("the database is unreachable")


@pytest.fixture
def hung_redis_cache():
    with silent_tcp_server() as port:
        location = f"redis://127.0.0.1:{port}/0"
        config = {
            "default": {
                "BACKEND": "jeonju.cache_backend.RedisCache",
                "LOCATION": location,
                "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
            }
        }
        with override_settings(CACHES=config):
            yield caches["default"]


def test_a_hung_redis_costs_one_timeout_then_calls_fail_at_once(hung_redis_cache):
    import redis

    error, took = seconds(lambda: hung_redis_cache.get("key"))
    assert issubclass(error, redis.exceptions.RedisError) and took < 1.0
    started = time.monotonic()
    for call in (
        lambda: hung_redis_cache.get("key"),
        lambda: hung_redis_cache.set("key", 1),
        lambda: hung_redis_cache.add("key", 1),
        lambda: hung_redis_cache.incr("key"),
        lambda: hung_redis_cache.get_many(["a", "b"]),
        lambda: hung_redis_cache.delete("key"),
    ):
        with pytest.raises(CacheUnavailable):
            call()
    assert time.monotonic() - started < 0.05


@pytest.mark.django_db
def test_pages_render_uncached_while_redis_hangs_and_wait_for_it_once(hung_redis_cache, client, settings, monkeypatch):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    settings.PUBLIC_FRAGMENT_CACHE_SECONDS = 300
    breaker = hung_redis_cache._breaker
    # The breaker's clock stands still, so that its once-a-second retry (tested above) never falls
    # inside these requests, however slow the machine: what is counted is the waiting they cause.
    now = time.monotonic()
    monkeypatch.setattr(breaker, "_clock", lambda: now)
    timeouts = []
    record_failure = breaker.record_failure
    monkeypatch.setattr(breaker, "record_failure", lambda: (timeouts.append(now), record_failure())[1])
    started = time.monotonic()
    for path in ["/", "/programs/", "/visits/", "/programs/palbok-art-factory/"]:
        response = client.get(path)
        assert response.status_code == 200, path
    # The first cache call of the first page waited for Redis's socket timeout (0.25 s); every
    # later call of the four pages was refused at once.
    assert len(timeouts) == 1
    assert time.monotonic() - started < 10  # a backstop: a call with no timeout would hang
