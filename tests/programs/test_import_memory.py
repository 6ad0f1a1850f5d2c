"""The metric import's memory is bounded by its batch, not by the length of the file."""

import tracemalloc

import factory
import pytest

from programs.importing import import_metrics, parse
from programs.models import Unit, YearlyMetric
from tests.factories import IndicatorFactory, ProgramFactory

pytestmark = pytest.mark.django_db

PROGRAMS, INDICATORS, YEARS = 5, 100, range(1990, 2101)  # 111,000 distinct keys


@pytest.fixture
def names():
    ProgramFactory.create_batch(PROGRAMS, slug=factory.Iterator([f"mem-program-{p}" for p in range(PROGRAMS)]))
    codes = factory.Iterator([f"mem-indicator-{i}" for i in range(INDICATORS)])
    IndicatorFactory.create_batch(INDICATORS, code=codes, unit=Unit.COUNT)


def generated_file(n: int) -> bytes:
    """n rows with distinct keys and distinct values (nothing a cache could fold together)."""
    keys = (
        (p, i, year, kind)
        for p in range(PROGRAMS)
        for i in range(INDICATORS)
        for year in YEARS
        for kind in ("actual", "target")
    )
    lines = ["program,indicator,year,value,kind,as_of"]
    for n_row, (p, i, year, kind) in zip(range(n), keys, strict=False):
        as_of = f"{year}-06-30" if n_row % 3 == 0 else ""
        lines.append(f"mem-program-{p},mem-indicator-{i},{year},{n_row},{kind},{as_of}")
    return ("\n".join(lines) + "\n").encode()


def peak_of_import(data: bytes, *, dry_run: bool) -> int:
    tracemalloc.start()
    try:
        outcome = import_metrics(data, dry_run=dry_run, max_bytes=0)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outcome.ok, [str(p) for p in outcome.parsed.problems[:5]]
    return peak


def assert_bounded(small: int, large: int, *, dry_run: bool) -> None:
    small_peak = peak_of_import(generated_file(small), dry_run=dry_run)
    # (written: the large file's first rows are then unchanged, the others new)
    large_peak = peak_of_import(generated_file(large), dry_run=dry_run)
    written = YearlyMetric.objects.filter(program__slug__startswith="mem-").count()
    assert written == (0 if dry_run else large)
    # Five times the rows: a peak that held the file's rows would be about five times higher.
    assert large_peak < 2 * small_peak, f"{small:,} rows peaked at {small_peak:,} B, {large:,} at {large_peak:,} B"


def test_checking_a_file_takes_memory_by_the_batch_not_the_file(names):
    """The admin's preview (a dry run): read, check and plan against the stored rows."""
    assert_bounded(20_000, 100_000, dry_run=True)


def test_writing_a_file_takes_memory_by_the_batch_not_the_file(names, monkeypatch):
    # Smaller batches and files than above: the same proportion, in a fraction of the time
    # SQLite's generic writer takes.
    monkeypatch.setattr(parse, "BATCH_ROWS", 500)
    assert_bounded(2_000, 10_000, dry_run=False)
