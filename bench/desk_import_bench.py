"""Benchmark of the clerk's desk imports on PostgreSQL: the visit import and the undo of an import.

    .venv/bin/python bench/desk_import_bench.py [--rows 100000] [--organizations 5000]
        [--preview-rows 10000] [--undo-rows 100000]

On a throwaway database (`jeonju_bench_desk` on 127.0.0.1:5432, dropped and created again each
run) with SYNTHETIC programs and organizations (named "[synthetic benchmark] …", no real figures),
it prints, each against a reference measured in the same run:

- `manage.py import_visits` of a visitor log of --rows rows naming --organizations organizations,
  in a child process, with its peak memory (VmHWM), as a share of the rate of a raw psycopg COPY
  of the same rows into the visits table (no checks, no history);
- the admin's import preview (upload → preview page) of --preview-rows rows, in seconds;
- the undo of a --undo-rows-row metric import (programs.batches.undo), in seconds, beside the
  import itself.

A benchmark, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE", "jeonju_bench_desk")

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_bench  # noqa: E402  (the metric benchmark's database, reference data and memory helpers)

BASE_DIR = import_bench.BASE_DIR
OUT = import_bench.OUT


def organization_name(j: int) -> str:
    return f"[합성 벤치마크] 기관 {j:05}"


def visit_rows(n: int, organizations: int, seed: int = 2019) -> list[tuple]:
    """n visits, each a distinct (program, organization) pair, with a date in its year."""
    rng = random.Random(seed)
    if n > import_bench.PROGRAMS * organizations:
        raise SystemExit(f"at most {import_bench.PROGRAMS * organizations} rows")
    rows = []
    for k in range(n):
        program, organization = k % import_bench.PROGRAMS, (k // import_bench.PROGRAMS) % organizations
        year = rng.randint(2010, 2024)
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
        rows.append((program, organization, year, day, rng.randint(2, 40)))
    return rows


def write_log(path: Path, rows: list[tuple]) -> None:
    """A visitor log as Excel saves it: Korean headers, UTF-8 with BOM, Korean dates."""
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["사업", "기관", "연도", "방문일", "인원", "목적"])
        for program, organization, year, day, people in rows:
            writer.writerow(
                [
                    f"synthetic-bench-program-{program:03}",
                    organization_name(organization),
                    year,
                    f"{day.year}. {day.month}. {day.day}.",
                    f"{people}명",
                    "[합성 벤치마크] 견학",
                ]
            )


def make_organizations(n: int) -> None:
    from visits.models import Organization

    Organization.objects.bulk_create(
        [
            Organization(name=organization_name(j), name_ko=organization_name(j), kind="other", region="seoul")
            for j in range(n)
        ],
        batch_size=2000,
    )


def child(path: str) -> None:
    import_bench.setup_django()
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_visits", path, "--max-bytes", "0", stdout=out)
    print(f"SECONDS {time.perf_counter() - started:.3f}")
    print(out.getvalue().strip())
    print(f"PEAK_RSS_MB {import_bench.peak_rss_mb():.0f}")


def run_import(path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, cwd=BASE_DIR, check=False
    )
    if result.returncode:
        raise SystemExit(result.stdout + result.stderr)
    text = result.stdout
    return {
        "seconds": float(re.search(r"SECONDS ([\d.]+)", text).group(1)),
        "rss": int(re.search(r"PEAK_RSS_MB (\d+)", text).group(1)),
        "counts": re.search(r"created \d+, updated \d+, unchanged \d+", text).group(0),
    }


def truncate_visits() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE visits_visit, visits_historicalvisit, programs_importbatch CASCADE")


def raw_copy(rows: list[tuple]) -> float:
    from django.db import connection, transaction

    from programs.models import Program
    from visits.models import Organization

    programs = dict(Program.objects.values_list("slug", "pk"))
    organizations = dict(Organization.objects.values_list("name", "pk"))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        columns = "program_id, organization_id, year, visited_on, people, purpose, purpose_ko, recorded_at"
        now = datetime.datetime.now(datetime.UTC).isoformat()
        with cursor.cursor.copy(f"COPY visits_visit ({columns}) FROM STDIN") as copy:
            for program, organization, year, day, people in rows:
                copy.write_row(
                    (
                        programs[f"synthetic-bench-program-{program:03}"],
                        organizations[organization_name(organization)],
                        year,
                        day,
                        people,
                        "[합성 벤치마크] 견학",
                        "[합성 벤치마크] 견학",
                        now,
                    )
                )
    return time.perf_counter() - started


def admin_preview(path: Path) -> float:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.create_superuser("bench-desk", "bench@example.org", "pw")
    client = Client()
    client.force_login(user)
    with path.open("rb") as file:
        started = time.perf_counter()
        response = client.post("/admin/visits/visit/import/", {"format": "0", "resource": "0", "import_file": file})
        seconds = time.perf_counter() - started
    if response.status_code != 200 or b"confirm" not in response.content:
        raise SystemExit(f"preview failed: {response.status_code}")
    return seconds


def metric_import_and_undo(n: int) -> tuple[float, float]:
    from programs import batches
    from programs.importing import import_metrics
    from programs.models import ImportBatch, YearlyMetric

    path = OUT / f"desk_bench_metrics_{n}.csv"
    import_bench.write_csv(path, import_bench.synthetic_rows(n))
    started = time.perf_counter()
    with path.open("rb") as stream:
        outcome = import_metrics(stream, max_bytes=0, file_name=path.name)
    imported = time.perf_counter() - started
    assert outcome.ok and YearlyMetric.objects.count() == n
    batch = ImportBatch.objects.get(kind="metrics")
    started = time.perf_counter()
    batches.undo(batch, user_id=None)
    undone = time.perf_counter() - started
    assert YearlyMetric.objects.count() == 0
    return imported, undone


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--organizations", type=int, default=5_000)
    parser.add_argument("--preview-rows", type=int, default=10_000)
    parser.add_argument("--undo-rows", type=int, default=100_000)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    OUT.mkdir(exist_ok=True)
    import_bench.recreate_database()
    import_bench.setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import_bench.make_reference_data()
    make_organizations(args.organizations)

    rows = visit_rows(args.rows, args.organizations)
    path = OUT / f"desk_bench_visits_{args.rows}.csv"
    write_log(path, rows)
    print(f"visitor log: {args.rows:,} rows, {args.organizations:,} organizations, {path.stat().st_size:,} bytes")

    copy_seconds = raw_copy(rows)
    truncate_visits()
    imported = run_import(path)
    share = copy_seconds / imported["seconds"]
    print(f"raw COPY:       {copy_seconds:7.2f} s  {args.rows / copy_seconds:10,.0f} rows/s")
    print(
        f"import_visits:  {imported['seconds']:7.2f} s  {args.rows / imported['seconds']:10,.0f} rows/s"
        f"  = {share:.0%} of COPY (target 40 %), peak {imported['rss']} MB (target < 300 MB); {imported['counts']}"
    )
    truncate_visits()

    preview_path = OUT / f"desk_bench_visits_{args.preview_rows}.csv"
    write_log(preview_path, rows[: args.preview_rows])
    print(f"admin preview of {args.preview_rows:,} rows: {admin_preview(preview_path):.2f} s (target < 2 s)")

    if args.undo_rows:
        imported_s, undone_s = metric_import_and_undo(args.undo_rows)
        print(
            f"metric import of {args.undo_rows:,} rows: {imported_s:.2f} s; its undo: {undone_s:.2f} s"
            f" ({undone_s / imported_s:.1f}× the import; target < 30 s)"
        )


if __name__ == "__main__":
    main()
