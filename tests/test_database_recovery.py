"""The connection pool keeps trying to reach a database that is down every second, rather than
backing off for minutes (the outage test in tests/faults shows the site coming back)."""

from psycopg_pool.base import AttemptWithBackoff

from jeonju.middleware import POOL_RETRY_SECONDS, DatabaseUnavailableMiddleware


def test_the_pool_retries_steadily_once_the_middleware_is_loaded():
    DatabaseUnavailableMiddleware(lambda request: None)
    attempt = AttemptWithBackoff(timeout=300)
    delays = []
    for second in range(10):
        attempt.update_delay(float(second))
        delays.append(attempt.delay)
    assert max(delays) <= POOL_RETRY_SECONDS * 1.1  # jitter of ±10 %, no doubling
