"""Imports take turns: one that cannot get its turn (or loses a race for locks) is refused
with a clear message, never a deadlock or a traceback."""

import io
import threading

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.utils import translation

from portal import figures
from programs.importing import IMPORT_LOCK_KEY, import_metrics
from programs.models import Unit, YearlyMetric
from tests.factories import IndicatorFactory, ProgramFactory
from tests.staff import admin_url, staff_client

MESSAGE = "Another import is running; nothing was written. Try again in a minute."
GOOD = b"program,indicator,year,value\nlock-gallery,lock-visitors,2019,92\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def names():
    program = ProgramFactory(slug="lock-gallery")
    return program, [IndicatorFactory(code="lock-visitors", unit=Unit.COUNT)]


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks and two writers at once need PostgreSQL")


def other_connection() -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=True,
    )


@pytest.mark.django_db
def test_an_import_that_waits_too_long_for_another_is_refused_with_a_clear_message(names, settings, tmp_path):
    needs_postgresql()
    settings.IMPORT_LOCK_TIMEOUT_SECONDS = 0.2
    path = tmp_path / "metrics.csv"
    path.write_bytes(GOOD)
    err = io.StringIO()
    with other_connection() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK_KEY])  # another import, mid-way
        outcome = import_metrics(GOOD)
        with pytest.raises(CommandError, match="1 problem"):
            call_command("import_metrics", str(path), stdout=io.StringIO(), stderr=err)
        preview = import_metrics(GOOD, dry_run=True)  # a preview writes nothing and waits for nobody
    assert MESSAGE in err.getvalue()
    assert [str(p) for p in outcome.parsed.problems] == [MESSAGE]
    assert not YearlyMetric.objects.filter(program=names[0]).exists()
    assert preview.ok and preview.counts["created"] == 1
    outcome = import_metrics(GOOD)  # the other import is over
    assert outcome.ok and outcome.counts["created"] == 1


@pytest.mark.django_db
def test_the_admin_shows_the_refusal_on_confirm(names, settings):
    needs_postgresql()
    settings.IMPORT_LOCK_TIMEOUT_SECONDS = 0.2
    client, _ = staff_client("예산·통계 담당")
    response = client.post(
        admin_url(YearlyMetric, "import"),
        {"format": "0", "resource": "0", "import_file": SimpleUploadedFile("m.csv", GOOD, content_type="text/csv")},
    )
    confirm = response.context["confirm_form"].initial
    with other_connection() as other:
        other.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK_KEY])
        response = client.post(admin_url(YearlyMetric, "process_import"), confirm)
    assert response.status_code == 200
    with translation.override("ko"):  # the admin speaks the site's default language
        assert translation.gettext(MESSAGE) in response.content.decode()
    assert not YearlyMetric.objects.filter(program=names[0]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("error", ["sqlite locked", "deadlock", "lock timeout"])
def test_a_lost_race_for_locks_is_a_clear_refusal_not_a_traceback(names, monkeypatch, error):
    if error == "sqlite locked":
        if connection.vendor != "sqlite":
            pytest.skip("SQLite's own message")
        raised = OperationalError("database is locked")
    else:
        raised = OperationalError("lost")
        cause = psycopg.errors.DeadlockDetected if error == "deadlock" else psycopg.errors.LockNotAvailable
        raised.__cause__ = cause()

    def lose(*args, **kwargs):
        raise raised

    monkeypatch.setattr(figures, "refresh_program_figures", lose)  # inside the write transaction
    outcome = import_metrics(GOOD)
    assert [str(p) for p in outcome.parsed.problems] == [MESSAGE]
    assert not YearlyMetric.objects.filter(program=names[0]).exists()


@pytest.mark.django_db
def test_other_database_errors_are_not_taken_for_a_lock(names, monkeypatch):
    def fail(*args, **kwargs):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(figures, "refresh_program_figures", fail)
    with pytest.raises(OperationalError):
        import_metrics(GOOD)


def overlapping_files(indicators) -> tuple[bytes, bytes]:
    """The same keys in opposite orders, with different values: the order that makes two
    unserialized upserts wait for each other's rows."""
    keys = [(i.code, year, kind) for i in indicators for year in range(1990, 2101) for kind in ("actual", "target")]
    header = "program,indicator,year,value,kind\n"
    first = header + "".join(f"lock-gallery,{code},{year},1,{kind}\n" for code, year, kind in keys)
    second = header + "".join(f"lock-gallery,{code},{year},2,{kind}\n" for code, year, kind in reversed(keys))
    return first.encode(), second.encode()


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_imports_at_once_take_turns_or_the_second_is_refused():
    needs_postgresql()
    program = ProgramFactory(slug="lock-gallery")
    indicators = [IndicatorFactory(code=f"lock-indicator-{i}", unit=Unit.COUNT) for i in range(10)]
    files = overlapping_files(indicators)
    start = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def run(n: int) -> None:
        try:
            start.wait()
            outcomes[n] = import_metrics(files[n], max_bytes=0)
        except BaseException as exc:  # noqa: BLE001 - any exception is the failure looked for
            outcomes[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(not isinstance(o, BaseException) for o in outcomes.values()), outcomes
    assert len(outcomes) == 2
    written = [n for n, o in outcomes.items() if o.ok]
    refused = [n for n, o in outcomes.items() if not o.ok]
    assert written, "one of them must get through"
    for n in refused:
        assert [str(p) for p in outcomes[n].parsed.problems] == [MESSAGE]
    rows = len(files[0].splitlines()) - 1
    stored = YearlyMetric.objects.filter(program=program)
    assert stored.count() == rows
    assert len(set(stored.values_list("value", flat=True))) == 1  # one file's values throughout, never a mix
    history = YearlyMetric.history.filter(program_id=program.pk).count()
    assert history == rows * len(written)  # created by the first, changed by the second
