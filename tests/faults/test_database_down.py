"""Stop the database under a running gunicorn: the public pages answer a friendly 503 (no
traceback, no hang) and come back by themselves once the database is up again."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from jeonju.db.backends.postgresql.base import POOL_RETRY_SECONDS
from tests.faults.servers import get

PUBLIC_PAGES = ["/", "/programs/", "/visits/"]


@pytest.mark.slow
def test_public_pages_answer_503_while_the_database_is_down_and_recover(served_site, own_postgres):
    port = served_site.port
    for path in PUBLIC_PAGES:
        status, _, _, _ = get(port, path)
        assert status == 200, (path, served_site.output())

    own_postgres.stop("fast")
    try:
        for path in PUBLIC_PAGES * 2:  # the second round meets the pool with no live connection
            status, headers, body, seconds = get(port, path, timeout=20)
            assert status == 503, (path, status, body[:500])
            assert seconds < 10, f"{path} took {seconds:.1f} s to answer"  # bounded by the pool timeout (3 s)
            assert "잠시 후 다시 이용해 주세요" in body and "Temporarily unavailable" in body
            assert headers["Retry-After"].isdigit()
            assert "Traceback" not in body and "OperationalError" not in body
            assert "unsafe-inline" not in headers["Content-Security-Policy"]
        # The load balancer's liveness check does not need the database; readiness says no.
        assert get(port, "/healthz")[0] == 200
        assert get(port, "/readyz", timeout=20)[0] == 503
    finally:
        own_postgres.start()
    back = time.monotonic()

    # The pools retry every second instead of backing off, so the site is back within seconds.
    deadline = back + 60
    statuses = {}
    while time.monotonic() < deadline:
        statuses = {path: get(port, path, timeout=20)[0] for path in PUBLIC_PAGES}
        if set(statuses.values()) == {200}:
            break
        time.sleep(0.5)
    assert set(statuses.values()) == {200}, statuses
    assert time.monotonic() - back < 8, f"back only after {time.monotonic() - back:.1f} s"
    # One worker answering is not all of them: a worker whose breaker opened during the outage
    # refuses until its next probe, at most POOL_RETRY_SECONDS after the database is back.
    time.sleep(POOL_RETRY_SECONDS + 0.2)
    # Once back, no request meets a dead pooled connection or a pool still waiting to retry:
    # every page, many times over, from concurrent clients (so both workers answer).
    with ThreadPoolExecutor(max_workers=8) as clients:
        later = list(clients.map(lambda path: get(port, path, timeout=20)[0], PUBLIC_PAGES * 16))
    if set(later) != {200}:
        print(served_site.log.read_text(errors="replace"))  # whole, in the report's captured output
    assert set(later) == {200}, later
    assert "Internal Server Error" not in served_site.output()
