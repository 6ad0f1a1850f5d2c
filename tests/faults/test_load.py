"""A bounded load on loopback: 50 concurrent clients for ~20 s against gunicorn serving the site
from PostgreSQL; not one 5xx. (The figures of interest are in bench/load_bench.py.)"""

import collections
import http.client
import os
import threading
import time

import pytest

CLIENTS = 50
SECONDS = float(os.environ.get("LOAD_TEST_SECONDS", "20"))
PATHS = [
    "/",
    "/programs/",
    "/programs/?category=facility&sort=visits",
    "/programs/palbok-art-factory/",
    "/visits/?year=2019",
    "/en/visits/?region=busan",
    "/policies/",
    "/indicators/visiting-organizations/",
    "/visits/download.csv?year=2018",
    "/healthz",
]


def client_loop(port, deadline, offset, statuses, errors):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = offset
    while time.monotonic() < deadline:
        path = PATHS[n % len(PATHS)]
        n += 1
        try:
            conn.request("GET", path, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            statuses[(response.status, path)] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{path}: {error!r}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()


@pytest.mark.slow
def test_fifty_concurrent_clients_get_no_server_error(served_site):
    statuses, errors = collections.Counter(), []
    deadline = time.monotonic() + SECONDS
    threads = [
        threading.Thread(target=client_loop, args=(served_site.port, deadline, i, statuses, errors), daemon=True)
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 60)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    total = sum(statuses.values())
    server_errors = {key: n for key, n in statuses.items() if key[0] >= 500}
    assert total > CLIENTS, statuses
    assert not server_errors, (server_errors, served_site.output())
    assert {status for status, _ in statuses} == {200}, statuses
    # A refused or reset connection would be a failure too (sync workers queue, never drop).
    assert len(errors) == 0, errors[:10]
