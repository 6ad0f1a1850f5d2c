"""The connection pool keeps trying to reach a database that is down every second, rather than
backing off for minutes (the outage tests in tests/faults show the site coming back). The patch
of psycopg_pool's private constants is applied when the project's PostgreSQL backend is loaded;
this test fails if psycopg_pool renames or reworks them."""

from psycopg_pool.base import AttemptWithBackoff

from jeonju.db.backends.postgresql.base import POOL_RETRY_SECONDS


def test_the_pool_retries_steadily_once_the_backend_is_loaded():
    attempt = AttemptWithBackoff(timeout=300)
    delays = []
    for second in range(10):
        attempt.update_delay(float(second))
        delays.append(attempt.delay)
    assert max(delays) <= POOL_RETRY_SECONDS * 1.1  # jitter of ±10 %, no doubling
