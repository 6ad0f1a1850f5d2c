"""A circuit breaker: once a service is known to be down, callers are refused at once instead of
each waiting out its own timeout, and one caller a second tries the service for real.

The state is per process, on purpose: each app server (each gunicorn worker) observes its own
connectivity to the database or the cache, so there is nothing the servers must share, and a
breaker that opens wrongly costs that one process at most a second of refusals.
"""

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("jeonju.circuit_breaker")


class CircuitBreaker:
    """Closed: every caller goes ahead. Open (after a failure): callers are refused, except one a
    `retry_seconds` (the probe), whose success closes the breaker again."""

    def __init__(self, name: str, retry_seconds: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.name = name
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._open = False
        self._next_probe = 0.0

    @property
    def is_open(self) -> bool:
        return self._open

    def allow(self) -> bool:
        """Whether a caller may use the service now; while open, True for one caller a period."""
        if not self._open:
            return True
        with self._lock:
            now = self._clock()
            if not self._open or now >= self._next_probe:
                self._next_probe = now + self.retry_seconds
                return True
            return False

    def seconds_to_next_probe(self) -> float:
        return max(0.0, self._next_probe - self._clock()) if self._open else 0.0

    def record_failure(self) -> None:
        with self._lock:
            if not self._open:
                logger.warning("%s unreachable: refusing at once, trying every %.1f s", self.name, self.retry_seconds)
            self._open = True
            self._next_probe = self._clock() + self.retry_seconds

    def record_success(self) -> None:
        if not self._open:  # the common case, without taking the lock
            return
        with self._lock:
            if self._open:
                logger.warning("%s reachable again", self.name)
            self._open = False
