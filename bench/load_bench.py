"""Load benchmark of the public pages on PostgreSQL at --scale 100 (`make bench-load`).

1. creates a throwaway database on the shared PostgreSQL (127.0.0.1:5432, user postgres),
   migrates it, loads the seed and `generate_demo_data --scale 100`, then VACUUM ANALYZE;
2. collects static files and starts `gunicorn -w 2` on 127.0.0.1 with the production settings
   (DEBUG off, plain HTTP allowed on loopback, local-memory cache per worker);
3. drives each page with wrk from a second process, next to /healthz, a trivial Django view on
   the same gunicorn (the framework's own ceiling), in three modes:
   - uncached: the page cache off; every request runs its view, its queries and its template,
     while the one `{% cache %}` fragment (the visit list's totals and charts, shared by every
     page of one filtered list) is built once per data generation;
   - cold: nothing cached at all, every aggregate and chart computed on every request (what the
     first request after a change costs);
   - cached: the page served from the page cache after the first request;
4. measures once, nothing cached, each page's response size (the HTML or CSV as served), and
   in a child process on the same database and settings (bench/page_sql.py) its SQL queries,
   their total time and the whole build of one request;
5. prints requests/s and p50/p95/p99 latency per page and the ratio to the trivial view, and the
   size, queries and SQL time of each page; drops the database.

The pages: every kind of public page. Two are picked from the generated data: the policy with
the most programs and the program with the most visits (the largest pages of their kind).

    python bench/load_bench.py [--scale 100] [--seconds 10] [--connections 16] [--keep]
        [--database jeonju_bench] [--port 8765] [--pages home,program-most-visits]
"""

import argparse
import json
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
# (key, label, path); {policy} and {program} are filled in from the generated data.
PAGES = [
    ("healthz", "trivial view (/healthz)", "/healthz"),
    ("home", "home", "/"),
    ("home-en", "home, English", "/en/"),
    ("policies", "policy list", "/policies/"),
    ("policy", "policy detail (most programs)", "/policies/{policy}/"),
    ("programs", "program list", "/programs/"),
    ("programs-filtered", "program list, filtered", "/programs/?category=facility&visits=yes&sort=visits"),
    ("program-most-visits", "program detail (most visits)", "/programs/{program}/"),
    ("program", "program detail (palbok)", "/programs/palbok-art-factory/"),
    ("indicators", "indicator list", "/indicators/"),
    ("indicator", "indicator detail", "/indicators/visiting-organizations/"),
    ("visits", "visit list", "/visits/"),
    ("visits-filtered", "visit list, filtered", "/visits/?region=gyeonggi&year=2019"),
    ("visits-csv", "CSV download (visits)", "/visits/download.csv?region=gyeonggi&year=2019"),
    # The site-wide search: two Korean words that need their space forgiven (팔복 예술), a region's
    # name (서울: hundreds of organizations, thousands of visits), an English word at word starts.
    ("search", "search, Korean words", "/search/?q=%ED%8C%94%EB%B3%B5+%EC%98%88%EC%88%A0"),
    ("search-region", "search, a region (Seoul)", "/search/?q=%EC%84%9C%EC%9A%B8"),
    ("search-en", "search, English (art)", "/en/search/?q=art"),
    # Two words a fifth of the visits' purposes hold (시설 견학): thousands of matches to keep ten of.
    ("search-common", "search, common words", "/search/?q=%EC%8B%9C%EC%84%A4+%EA%B2%AC%ED%95%99"),
]

# The largest page of its kind in the generated data.
POLICY_WITH_MOST_PROGRAMS = """
    SELECT p.slug FROM policies_policy p JOIN programs_program_policies pp ON pp.policy_id = p.id
    GROUP BY p.id, p.slug ORDER BY count(*) DESC, p.slug LIMIT 1"""
PROGRAM_WITH_MOST_VISITS = """
    SELECT p.slug, count(*) FROM programs_program p JOIN visits_visit v ON v.program_id = p.id
    GROUP BY p.id, p.slug ORDER BY count(*) DESC, p.slug LIMIT 1"""


# (mode, PUBLIC_PAGE_CACHE_SECONDS, PUBLIC_FRAGMENT_CACHE_SECONDS). Code without a fragment
# cache does not read the second setting, and "uncached" then measures what "cold" does.
MODES = [("uncached", "0", "600"), ("cold", "0", "0"), ("cached", "600", "600")]


def run(*args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def psql(sql, database="postgres"):
    run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-q", "-c", sql)


def psql_row(sql, database):
    out = run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-At", "-c", sql, stdout=subprocess.PIPE)
    return out.stdout.decode().strip().split("|")


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
        # A 60 s timeout rather than wrk's 2 s: a slow page's requests are then measured, not
        # dropped from the percentiles as socket timeouts.
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "60s", "-s", str(script), url],
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


def workers_cpu_ticks(server_pid):
    """CPU time used so far by the gunicorn workers (the children of the arbiter)."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def drain(base, server_pid, database, limit=300):
    """Wait until the server has finished the requests wrk left queued when it stopped.

    wrk stops after its seconds, but the requests its connections had sent stay in gunicorn's
    queue and are still built, one after another: on a page that takes seconds, that would be
    measured as the next page's load. Idle means /healthz answers at once, the workers use no
    CPU for half a second and PostgreSQL runs no query of this database.
    """
    started = time.monotonic()
    active = (
        "SELECT count(*) FROM pg_stat_activity"
        f" WHERE datname = '{database}' AND state = 'active' AND pid <> pg_backend_pid()"
    )
    while time.monotonic() - started < limit:
        probe = time.perf_counter()
        urllib.request.urlopen(base + "/healthz", timeout=limit).read()
        fast = time.perf_counter() - probe < 0.05
        before = workers_cpu_ticks(server_pid)
        time.sleep(0.5)
        if fast and workers_cpu_ticks(server_pid) == before and psql_row(active, database) == ["0"]:
            break
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default="jeonju_bench", help="the throwaway database (dropped and created)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--pages",
        default="",
        help="comma-separated page keys to drive (the trivial view always runs): "
        + ",".join(k for k, _, _ in PAGES[1:]),
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    wanted = {key.strip() for key in args.pages.split(",") if key.strip()}
    unknown = wanted - {key for key, _, _ in PAGES}
    if unknown:
        raise SystemExit(f"unknown pages: {', '.join(sorted(unknown))}")
    pages = [page for page in PAGES if not wanted or page[0] in wanted or page[0] == "healthz"]

    database = args.database
    print(f"Load average at the start: {load_average()}")
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
        generating = time.monotonic()
        run(PY, "manage.py", "generate_demo_data", "--scale", str(args.scale), "--seed", "1", env=env)
        print(f"generate_demo_data --scale {args.scale}: {time.monotonic() - generating:.0f} s")
        # What autovacuum does soon after a bulk load anyway: planner statistics, and the visibility
        # map that lets COUNTs and sums be answered from the indexes alone.
        psql("VACUUM ANALYZE", database)
        run(PY, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
        policy = psql_row(POLICY_WITH_MOST_PROGRAMS, database)[0]
        program, program_visits = psql_row(PROGRAM_WITH_MOST_VISITS, database)
        print(f"Policy with the most programs: {policy}; program with the most visits: {program} ({program_visits})")
        pages = [(key, name, path.format(policy=policy, program=program)) for key, name, path in pages]
        print(f"Database ready in {time.monotonic() - started:.0f} s.\n")
        cold_env = {**env, "PUBLIC_PAGE_CACHE_SECONDS": "0", "PUBLIC_FRAGMENT_CACHE_SECONDS": "0"}
        measuring = time.monotonic()
        out = run(PY, "bench/page_sql.py", *(path for _, _, path in pages), env=cold_env, stdout=subprocess.PIPE)
        costs = json.loads(out.stdout.decode().strip().splitlines()[-1])
        print(f"Queries and SQL time measured in {time.monotonic() - measuring:.0f} s.")
        results = {}
        sizes = {}
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
            for key, _name, path in pages:
                # Warm up (and fill the cache); the size is of the body as served, uncompressed.
                with urllib.request.urlopen(base + path, timeout=300) as response:
                    body = response.read()
                if label == "cold":
                    sizes[key] = len(body)
                results[(label, key)] = wrk(base + path, args.seconds, args.connections)
                waited = drain(base, server.pid, database)
                if waited > 2:
                    print(f"{label} {key}: waited {waited:.0f} s for the requests queued when wrk stopped")
            server.terminate()
            server.wait(timeout=60)
            server = None
        report(results, pages, sizes, costs, args)
        print(f"\nLoad average at the end: {load_average()}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def load_average():
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def report(results, pages, sizes, costs, args):
    print(f"gunicorn -w 2, wrk -t2 -c{args.connections} -d{args.seconds}s, scale {args.scale}, 2 shared cores")
    print("Latency percentiles under that load, from wrk.\n")
    header = f"{'page':30} {'mode':9} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    print(header)
    print("-" * len(header))
    for label, _page, _fragment in MODES:
        trivial = results[(label, "healthz")]["rps"]
        for key, name, _ in pages:
            r = results[(label, key)]
            flag = f"  non-2xx: {r['non2xx']}" if r["non2xx"] else ""
            flag += f"  socket errors: {r['errors']}" if r["errors"] else ""
            print(
                f"{name:30} {label:9} {r['rps']:8.1f} {r['rps'] / trivial:6.0%} {r['p50']:7.1f} {r['p95']:7.1f} "
                f"{r['p99']:7.1f}{flag}"
            )
        print()
    print("One request, nothing cached: size as served; queries, SQL and build time in Django's test client")
    print("(median of 3 runs after a warm-up, bench/page_sql.py).\n")
    header = f"{'page':30} {'bytes':>10} {'queries':>8} {'SQL ms':>8} {'build ms':>9}  path"
    print(header)
    print("-" * len(header))
    for key, name, path in pages:
        c = costs[path]
        status = "" if c["status"] == 200 else f"  status {c['status']}"
        print(f"{name:30} {sizes[key]:10,} {c['queries']:8} {c['sql_ms']:8.1f} {c['build_ms']:9.1f}  {path}{status}")


if __name__ == "__main__":
    main()
