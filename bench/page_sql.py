"""What one request of each page costs inside Django: SQL queries, their time, the whole build.

Run by bench/load_bench.py in a child process with the benchmark's environment (its
DATABASE_URL, the production settings, caches off), so that the figures are of the database
and the code the load benchmark drives:

    python bench/page_sql.py /path/ [/other/path/ …]

Each page is requested once to warm the process (templates, URL resolvers, the pool), then
RUNS times through django.test.Client with every query timed by a connection.execute_wrapper;
a streamed response is read to its end inside the wrapper, so its queries count. Prints one
JSON object: {path: {"status", "bytes", "queries", "sql_ms", "build_ms"}}, the times the median
of the runs. The SQL time is each cursor.execute() (for a server-side cursor, the rows fetched
later in batches are not in it); the build time is the whole request in the test client.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3

sys.path.insert(0, str(ROOT))


class QueryTimer:
    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def measure(client, path):
    from django.db import connection

    timer = QueryTimer()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        response = client.get(path)
        body = body_of(response)
    return response.status_code, len(body), timer.count, timer.seconds * 1000, (time.perf_counter() - started) * 1000


def main(paths):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jeonju.settings.production")
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for path in paths:
        measure(client, path)  # warm-up
        runs = [measure(client, path) for _ in range(RUNS)]
        status, size, queries, _, _ = runs[-1]
        results[path] = {
            "status": status,
            "bytes": size,
            "queries": queries,
            "sql_ms": statistics.median(r[3] for r in runs),
            "build_ms": statistics.median(r[4] for r in runs),
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1:])
