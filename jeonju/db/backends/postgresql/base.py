"""Django's PostgreSQL backend, its connection pool behind a circuit breaker.

Without it, while the database is down every request waits the pool's whole timeout for a
connection that cannot come, so a sync worker is stuck for seconds per request and everything
queued behind it (the health check, pages the cache could answer) waits too. Here:

- a request waits for a pooled connection in short slices, and gives up as soon as the pool's
  latest attempt to open a connection has failed and a direct attempt fails too: the database
  refuses, so no connection will come. (The direct attempt is there because the pool's latest
  attempt may be one from an outage that is over: a pool that has all the connections it needs
  makes no new attempt to show otherwise.) A pool that is merely busy has no failed attempt, so
  under load a request still waits the full timeout (a dead pooled connection alone does not
  count: after a database restart the pool replaces it at once);
- a request that gives up opens the breaker; while it is open, getting a connection raises
  OperationalError at once (DatabaseUnavailableMiddleware answers 503), except for one request a
  second, the probe. The probe asks the database directly: while it refuses, the probe is refused
  at once too; once it answers, the breaker closes and the probe waits for the pool as any request
  does (the pool retries every second, so it reconnects within one). Whether the worker serves
  again depends on the database answering, not on what the pool last saw.

The breaker belongs to the pool, so it is per process (see jeonju/circuit_breaker.py): once the
database is back, a worker whose breaker opened refuses until its next probe, at most
POOL_RETRY_SECONDS later.
"""

from time import monotonic

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool, PoolTimeout
from psycopg_pool.base import AttemptWithBackoff

from jeonju.circuit_breaker import CircuitBreaker

# Seconds between two attempts of the connection pool to reach a database that is down, and
# between two probes of an open breaker.
POOL_RETRY_SECONDS = 1.0
# How often a waiting request looks whether the pool has failed to connect meanwhile.
WAIT_SLICE_SECONDS = 0.02


def retry_connections_steadily() -> None:
    """Make psycopg_pool retry a failed connection every second instead of backing off.

    The pool retries after 1, 2, 4, 8 … s (for up to 5 min): after a 20-second outage its next
    attempt may come 16 s after the database is back. Retrying steadily costs a refused
    connection a second per pending attempt while the database is down, and brings the pool back
    within a second. These are private constants of psycopg_pool (pinned in pyproject.toml);
    tests/test_database_recovery.py fails if they change.
    """
    AttemptWithBackoff.INITIAL_DELAY = POOL_RETRY_SECONDS
    AttemptWithBackoff.DELAY_BACKOFF = 1.0


retry_connections_steadily()


class DatabaseUnavailable(psycopg.OperationalError):
    """Refused without trying: the breaker is open."""


class CircuitBreakerPool(ConnectionPool):
    """psycopg's pool whose getconn() gives up early, and at once, while the database is down."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.breaker = CircuitBreaker(f"Database {self.name}", retry_seconds=POOL_RETRY_SECONDS)
        # Whether the pool's latest attempt to open a connection failed.
        self.refusing = False

    def _connect(self, timeout: float | None = None):
        # Every new connection of the pool is opened here, in its worker threads or in check().
        try:
            connection = super()._connect(timeout)
        except Exception:
            self.refusing = True
            raise
        self.refusing = False
        return connection

    def _answers(self) -> bool:
        """Whether the database accepts a connection now (one attempt, not kept)."""
        try:
            kwargs = {**self._resolve_kwargs(), "connect_timeout": 2}
            self.connection_class.connect(self._resolve_conninfo(), **kwargs).close()
        except psycopg.Error:
            return False
        return True

    def getconn(self, timeout: float | None = None):
        timeout = self.timeout if timeout is None else timeout
        if self.breaker.is_open:
            if not self.breaker.allow():
                raise DatabaseUnavailable(
                    f"the database is unreachable (next try in {self.breaker.seconds_to_next_probe():.1f} s)"
                )
            if not self._answers():
                self.breaker.record_failure()
                raise PoolTimeout("the database refuses connections: the probe tried it directly")
            self.refusing = False
            self.breaker.record_success()
        started = monotonic()
        deadline = started + timeout
        while True:
            try:
                connection = super().getconn(min(WAIT_SLICE_SECONDS, max(deadline - monotonic(), 0.001)))
            except PoolTimeout:
                if self.refusing and self._answers():
                    # The failed attempt was an old one (the database came back since, and the
                    # pool has not needed a new connection): keep waiting for the pool.
                    self.refusing = False
                if self.refusing or monotonic() >= deadline:
                    self.breaker.record_failure()
                    reason = "the database refuses connections" if self.refusing else "no connection came"
                    raise PoolTimeout(f"{reason}: gave up after {monotonic() - started:.2f} s") from None
            else:
                self.breaker.record_success()
                return connection


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        # Django's own pool construction (django/db/backends/postgresql/base.py), with our class.
        options = self.settings_dict["OPTIONS"].get("pool")
        if options and self.alias != NO_DB_ALIAS and self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            pool = CircuitBreakerPool(
                kwargs={**self.get_connection_params(), "autocommit": True},
                open=False,
                configure=self._configure_connection,
                check=ConnectionPool.check_connection if self.settings_dict["CONN_HEALTH_CHECKS"] else None,
                **({} if options is True else options),
            )
            self._connection_pools.setdefault(self.alias, pool)
        return super().pool
