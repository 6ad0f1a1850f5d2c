"""Benchmark of the yearly-metric CSV import on PostgreSQL (`make bench-import`).

    .venv/bin/python bench/import_bench.py [--rows 100000] [--slice 10000] [--memory-rows 1000000]
        [--database jeonju_bench_import]

It creates a throwaway database (`jeonju_bench_import` on 127.0.0.1:5432, user postgres,
trust authentication; dropped and created again on each run), migrates it, adds synthetic
programs and indicators, writes a SYNTHETIC benchmark file (bench/out/, git-ignored; the
programs are named "[synthetic benchmark] …" and hold no real figures) and prints, side by
side, rows per second for:

- `manage.py import_metrics` (parse, validate every row, upsert, write history), in a child
  process, with its peak memory (VmHWM); then the same file again (nothing changes) and a
  file where every value changed (every row updated);
- a raw psycopg COPY of the same rows into the metrics table (no validation, no history);
- django-import-export's default row-by-row path on a slice (default 10,000 rows);
- the admin's import preview (upload → preview page) of the slice;
- `manage.py import_metrics` of a much larger file (default 1,000,000 rows), for its peak
  memory: the import reads a batch at a time, so this stays flat as files grow
  (`--memory-rows 0` skips it).

A benchmark, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT = BASE_DIR / "bench" / "out"
DB_NAME = "jeonju_bench_import"
SERVER = "postgres://postgres@127.0.0.1:5432"
PROGRAMS, INDICATORS = 50, 100  # 50 × 100 × 111 years × 2 kinds = 1,110,000 possible keys

sys.path.insert(0, str(BASE_DIR))


def setup_django():
    os.environ["DATABASE_URL"] = f"{SERVER}/{database()}"
    os.environ["DJANGO_DEBUG"] = "0"  # no query log in memory
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ["DJANGO_SETTINGS_MODULE"] = "jeonju.settings.local"
    import django

    django.setup()


def database() -> str:
    return os.environ.get("BENCH_DATABASE", DB_NAME)


def child(path: str) -> None:
    """Run import_metrics in this process and report its peak memory."""
    setup_django()
    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_metrics", path, "--max-bytes", "0", stdout=out)
    print(out.getvalue().strip())
    print(f"PEAK_RSS_MB {peak_rss_mb():.0f}")


def peak_rss_mb() -> float:
    """This process's own peak resident memory.

    Linux's VmHWM, not getrusage's ru_maxrss: that one is kept across exec, so a child started
    by this (large) benchmark process would report the parent's memory at the fork.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1)) / 1024


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database()} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {database()}")


def make_reference_data():
    from policies.models import Policy, Sector
    from programs.models import Category, Indicator, Program, Unit

    policy = Policy.objects.create(
        slug="synthetic-bench-policy",
        title_ko="[합성 벤치마크] 정책",
        title_en="[synthetic benchmark] policy",
        summary_ko="벤치마크용 합성 데이터",
        summary_en="synthetic benchmark data",
        sector=Sector.DIGITAL,
    )
    programs = Program.objects.bulk_create(
        Program(
            slug=f"synthetic-bench-program-{i:03}",
            name=f"[합성 벤치마크] 사업 {i:03}",
            name_ko=f"[합성 벤치마크] 사업 {i:03}",
            name_en=f"[synthetic benchmark] program {i:03}",
            description="synthetic benchmark data",
            category=Category.DIGITAL,
        )
        for i in range(PROGRAMS)
    )
    for program in programs:
        program.policies.add(policy)
    Indicator.objects.bulk_create(
        Indicator(
            code=f"synthetic-bench-indicator-{i:02}",
            name=f"[합성 벤치마크] 지표 {i:02}",
            name_ko=f"[합성 벤치마크] 지표 {i:02}",
            name_en=f"[synthetic benchmark] indicator {i:02}",
            unit=Unit.PERCENT if i % 5 == 0 else Unit.COUNT,
            definition="synthetic benchmark data",
        )
        for i in range(INDICATORS)
    )


def synthetic_rows(n: int, seed: int = 2019, bump: int = 0) -> list[tuple]:
    """n distinct (program, indicator, year, kind) keys with made-up values."""
    rng = random.Random(seed)
    keys = [
        (p, i, year, kind)
        for p in range(PROGRAMS)
        for i in range(INDICATORS)
        for year in range(1990, 2101)
        for kind in ("actual", "target")
    ]
    rng.shuffle(keys)
    if n > len(keys):
        raise SystemExit(f"at most {len(keys)} rows")
    return [(p, i, year, kind, rng.randint(0, 50_000) + bump) for p, i, year, kind in keys[:n]]


def write_csv(path: Path, rows: list[tuple]) -> None:
    """Korean headers, UTF-8 with BOM, thousands separators in quotes: as Excel would save it."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["사업", "지표", "연도", "값", "구분", "기준일"])
        for p, i, year, kind, value in rows:
            writer.writerow(
                [
                    f"synthetic-bench-program-{p:03}",
                    f"synthetic-bench-indicator-{i:02}",
                    year,
                    f"{value:,}",
                    "실적" if kind == "actual" else "목표",
                    f"{year}-06-30" if value % 3 == 0 else "",
                ]
            )


def run_command(path: Path) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, cwd=BASE_DIR, check=False
    )
    wall = time.perf_counter() - started
    if result.returncode:
        raise SystemExit(result.stdout + result.stderr)
    text = result.stdout
    rate = float(re.search(r"\(([\d,]+) rows/s\)", text).group(1).replace(",", ""))
    seconds = float(re.search(r"in ([\d.]+) s", text).group(1))
    counts = re.search(r"created \d+, updated \d+, unchanged \d+", text).group(0)
    rss = int(re.search(r"PEAK_RSS_MB (\d+)", text).group(1))
    return {"rate": rate, "seconds": seconds, "wall": wall, "counts": counts, "rss": rss}


def truncate_metrics() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE programs_yearlymetric, programs_historicalyearlymetric RESTART IDENTITY")


def raw_copy(rows: list[tuple]) -> float:
    from django.db import connection, transaction

    from programs.models import Indicator, Program

    programs = dict(Program.objects.values_list("slug", "pk"))
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    resolved = [
        (
            programs[f"synthetic-bench-program-{p:03}"],
            indicators[f"synthetic-bench-indicator-{i:02}"],
            year,
            kind,
            value,
            "",
        )
        for p, i, year, kind, value in rows
    ]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        sql = "COPY programs_yearlymetric (program_id, indicator_id, year, kind, value, note) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in resolved:
                copy.write_row(row)
    return time.perf_counter() - started


def import_export_default(path: Path) -> float:
    """django-import-export's own path: a plain ModelResource, one instance at a time."""
    import tablib
    from import_export import fields, resources, widgets

    from programs.models import Indicator, Program, YearlyMetric

    class PlainResource(resources.ModelResource):
        program = fields.Field("program", "사업", widget=widgets.ForeignKeyWidget(Program, "slug"))
        indicator = fields.Field("indicator", "지표", widget=widgets.ForeignKeyWidget(Indicator, "code"))
        year = fields.Field("year", "연도")
        value = fields.Field("value", "값")
        kind = fields.Field("kind", "구분")

        class Meta:
            model = YearlyMetric
            fields = ("program", "indicator", "year", "value", "kind")
            import_id_fields = ("program", "indicator", "year", "kind")

        def before_import_row(self, row, **kwargs):
            row["값"] = str(row["값"]).replace(",", "")
            row["구분"] = "actual" if row["구분"] == "실적" else "target"

    text = path.read_text(encoding="utf-8-sig")
    dataset = tablib.Dataset().load(text, format="csv")
    del dataset["기준일"]
    started = time.perf_counter()
    result = PlainResource().import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    elapsed = time.perf_counter() - started
    assert result.totals["new"] == len(dataset), result.totals
    return elapsed


def admin_preview(path: Path) -> tuple[float, str]:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    client.get("/admin/programs/yearlymetric/import/")  # warm up templates and URL resolvers
    upload = SimpleUploadedFile(path.name, path.read_bytes(), content_type="text/csv")
    started = time.perf_counter()
    response = client.post(
        "/admin/programs/yearlymetric/import/", {"format": "0", "resource": "0", "import_file": upload}
    )
    elapsed = time.perf_counter() - started
    page = response.content.decode()
    assert response.status_code == 200 and 'name="import_file_name"' in page, "preview failed"
    counts = re.search(r'<p id="import-counts">\s*(.*?)\s*</p>', page, re.S).group(1)
    return elapsed, " ".join(counts.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--slice", type=int, default=10_000)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--database", default=DB_NAME, help="the throwaway database (dropped and created)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database):
        raise SystemExit("--database: a plain lower-case name")
    os.environ["BENCH_DATABASE"] = args.database  # (the child processes read it too)
    OUT.mkdir(parents=True, exist_ok=True)
    recreate_database()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    make_reference_data()

    rows = synthetic_rows(args.rows)
    changed = [(p, i, y, k, v + 1) for p, i, y, k, v in rows]
    full = OUT / f"synthetic_benchmark_metrics_{args.rows}.csv"
    full_changed = OUT / f"synthetic_benchmark_metrics_{args.rows}_changed.csv"
    part = OUT / f"synthetic_benchmark_metrics_{args.slice}.csv"
    write_csv(full, rows)
    write_csv(full_changed, changed)
    write_csv(part, rows[: args.slice])
    n, k = len(rows), args.slice
    print(f"Synthetic benchmark data: {n:,} rows ({full.stat().st_size / 1e6:.1f} MB) in {full.relative_to(BASE_DIR)}")
    print(f"PostgreSQL database {database()} (dropped and created for this run)\n")

    first = run_command(full)
    again = run_command(full)
    updated = run_command(full_changed)
    preview_seconds, preview_counts = admin_preview(part)

    truncate_metrics()
    copy_seconds = raw_copy(rows)
    truncate_metrics()
    ie_seconds = import_export_default(part)

    big = None
    if args.memory_rows:
        truncate_metrics()
        big_file = OUT / f"synthetic_benchmark_metrics_{args.memory_rows}.csv"
        write_csv(big_file, synthetic_rows(args.memory_rows, seed=2020))
        big = run_command(big_file)
        big_mb = big_file.stat().st_size / 1e6

    def line(label, rows_, seconds, note=""):
        print(f"{label:<48} {rows_:>9,} {seconds:>9.2f} s {rows_ / seconds:>12,.0f} rows/s  {note}")

    print(f"{'':<48} {'rows':>9} {'time':>11} {'rate':>19}")
    line("import_metrics, new rows (+ history)", n, first["seconds"], f"{first['counts']}; peak RSS {first['rss']} MB")
    line("import_metrics, same file again", n, again["seconds"], f"{again['counts']}; peak RSS {again['rss']} MB")
    line(
        "import_metrics, every value changed (+ history)",
        n,
        updated["seconds"],
        f"{updated['counts']}; peak RSS {updated['rss']} MB",
    )
    line("raw psycopg COPY (no checks, no history)", n, copy_seconds)
    line("django-import-export default path", k, ie_seconds)
    line("admin import preview (upload → preview page)", k, preview_seconds, preview_counts)
    if big:
        line(
            f"import_metrics, new rows, {big_mb:.0f} MB file (+ history)",
            args.memory_rows,
            big["seconds"],
            f"{big['counts']}; peak RSS {big['rss']} MB",
        )
    print(
        f"\nimport_metrics (new rows) = {first['seconds'] and copy_seconds / first['seconds']:.0%} of raw COPY's rate;"
        f" whole command incl. Django start-up: {first['wall']:.2f} s"
    )


if __name__ == "__main__":
    main()
