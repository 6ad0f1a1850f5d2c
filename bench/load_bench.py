"""Load benchmark of the public pages on PostgreSQL at --scale 100 (`make bench-load`).

1. creates a throwaway database on the shared PostgreSQL (127.0.0.1:5432, user postgres),
   migrates it, loads the seed and `generate_demo_data --scale 100`, then VACUUM ANALYZE;
2. collects static files and starts `gunicorn -w 2` on 127.0.0.1 with the production settings
   (DEBUG off, plain HTTP allowed on loopback, local-memory cache per worker);
3. drives each page with wrk from a second process, next to /healthz, a trivial Django view on
   the same gunicorn (the framework's own ceiling), in three modes:
   - uncached: the page cache off; every request runs its view, its queries and its template,
     while the aggregates, charts, counts and filter forms shared by many requests are built
     once per data generation (portal/cache.py: what production does between two changes);
   - cold: nothing cached at all, every aggregate and chart computed on every request (what the
     first request after a change costs);
   - cached: the page served from the page cache after the first request;
4. prints requests/s and p50/p95/p99 latency per page and the ratio to the trivial view; drops
   the database.

    python bench/load_bench.py [--scale 100] [--seconds 10] [--connections 16] [--keep]
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PAGES = [
    ("trivial view (/healthz)", "/healthz"),
    ("home", "/"),
    ("program list, filtered", "/programs/?category=facility&visits=yes&sort=visits"),
    ("program detail", "/programs/palbok-art-factory/"),
    ("visit list, filtered", "/visits/?region=gyeonggi&year=2019"),
    ("CSV download (visits)", "/visits/download.csv?region=gyeonggi&year=2019"),
    ("indicator detail", "/indicators/visiting-organizations/"),
]


# (mode, PUBLIC_PAGE_CACHE_SECONDS, PUBLIC_FRAGMENT_CACHE_SECONDS)
MODES = [("uncached", "0", "600"), ("cold", "0", "0"), ("cached", "600", "600")]


def run(*args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def psql(sql, database="postgres"):
    run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-q", "-c", sql)


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


# wrk prints p50/p75/p90/p99; this prints the other percentiles we report, in microseconds.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  for _, p in pairs({50, 95, 99}) do io.write(string.format("P%d_US %d\\n", p, latency:percentile(p))) end
end
"""


def wrk(url, seconds, connections):
    script = ROOT / "bench" / "out" / "percentiles.lua"
    script.parent.mkdir(exist_ok=True)
    script.write_text(WRK_SCRIPT)
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", str(script), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: int(re.search(rf"P{p}_US (\d+)", out).group(1)) / 1000 for p in ("50", "95", "99")}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50": latency["50"],
        "p95": latency["95"],
        "p99": latency["99"],
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": errors.group(1) if errors else "",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the database (jeonju_bench) afterwards")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    database = "jeonju_bench"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "jeonju.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # loopback, no TLS terminator in front
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": "",
        "GUNICORN_MAX_REQUESTS": "0",
    }
    env.pop("REDIS_URL", None)
    psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    psql(f"CREATE DATABASE {database}")
    server = None
    try:
        started = time.monotonic()
        run(PY, "manage.py", "migrate", "--noinput", "-v0", env=env)
        run(PY, "manage.py", "load_seed", "-v0", env=env)
        run(PY, "manage.py", "generate_demo_data", "--scale", str(args.scale), "--seed", "1", env=env)
        # What autovacuum does soon after a bulk load anyway: planner statistics, and the visibility
        # map that lets COUNTs and sums be answered from the indexes alone.
        psql("VACUUM ANALYZE", database)
        run(PY, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
        print(f"Database ready in {time.monotonic() - started:.0f} s.\n")
        results = {}
        for label, page_seconds, fragment_seconds in MODES:
            server = subprocess.Popen(
                [str(Path(PY).with_name("gunicorn")), "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env={
                    **env,
                    "PUBLIC_PAGE_CACHE_SECONDS": page_seconds,
                    "PUBLIC_FRAGMENT_CACHE_SECONDS": fragment_seconds,
                },
            )
            base = f"http://127.0.0.1:{args.port}"
            wait_for(base + "/healthz")
            for name, path in PAGES:
                urllib.request.urlopen(base + path, timeout=300).read()  # warm up (and fill the cache)
                result = wrk(base + path, args.seconds, args.connections)
                results[(label, name)] = result
            server.terminate()
            server.wait(timeout=60)
            server = None
        report(results, args)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def report(results, args):
    print(f"gunicorn -w 2, wrk -t2 -c{args.connections} -d{args.seconds}s, scale {args.scale}, 2 shared cores")
    print("Latency percentiles under that load, from wrk.\n")
    header = f"{'page':28} {'mode':9} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    print(header)
    print("-" * len(header))
    for label, _page, _fragment in MODES:
        trivial = results[(label, PAGES[0][0])]["rps"]
        for name, _ in PAGES:
            r = results[(label, name)]
            flag = f"  non-2xx: {r['non2xx']}" if r["non2xx"] else ""
            flag += f"  socket errors: {r['errors']}" if r["errors"] else ""
            print(
                f"{name:28} {label:9} {r['rps']:8.0f} {r['rps'] / trivial:6.0%} {r['p50']:7.1f} {r['p95']:7.1f} "
                f"{r['p99']:7.1f}{flag}"
            )
        print()


if __name__ == "__main__":
    main()
