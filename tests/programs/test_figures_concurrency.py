"""Two transactions writing one program's data at the same moment (an import and an admin edit)
leave its figures as a full recomputation gives them. On PostgreSQL only, where two connections
really write in parallel (SQLite lets one writer in at a time).

The tests commit from two threads, so they need a transactional database, which is flushed
afterwards: the seed that tests/conftest.py loads once per session is loaded again after it."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from portal.figures import refresh_program_figures
from portal.models import ProgramFigures, VisitFigures
from programs.models import Indicator, YearlyMetric
from tests.factories import OrganizationFactory, ProgramFactory, VisitFactory
from tests.programs.test_figures import assert_consistent

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")


@pytest.fixture
def seed_reloaded_afterwards(django_db_blocker):
    """Requested before `transactional_db`, so it is torn down after the flush."""
    yield
    with django_db_blocker.unblock():
        call_command("load_seed", verbosity=0)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def blocked(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
        return cursor.fetchone()[0]


def run(target, errors):
    def body():
        try:
            target()
        except BaseException as error:  # reported by the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=body)
    thread.start()
    return thread


def run_together(*targets, errors):
    threads = [run(target, errors) for target in targets]
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    if errors:
        raise errors[0]


@pytest.mark.parametrize("figures_row_exists", [True, False], ids=["known-program", "new-program"])
def test_an_import_and_an_admin_edit_of_one_program_at_once(
    seed_reloaded_afterwards, transactional_db, figures_row_exists
):
    indicator = Indicator.objects.get(code="visiting-organizations")
    program = ProgramFactory()
    organization = OrganizationFactory()
    visits_before = 0
    if figures_row_exists:  # a visit on record gives the program its figures row
        VisitFactory(program=program, organization=organization)
        visits_before = 1

    imported, edited = threading.Event(), threading.Event()
    editor_pid = []
    errors = []

    def import_metrics():
        # As programs.importing writes a plan: bulk rows without signals, then the refresh (its signal), all
        # in one transaction that commits only once the admin edit is under way.
        with transaction.atomic():
            YearlyMetric.objects.bulk_create([YearlyMetric(program=program, indicator=indicator, year=2021, value=30)])
            refresh_program_figures([program.pk])
            imported.set()
            deadline = time.monotonic() + 20
            while not edited.is_set() and not (editor_pid and blocked(editor_pid[0])):
                assert time.monotonic() < deadline, "the admin edit neither finished nor waited"
                time.sleep(0.02)

    def edit_in_admin():
        editor_pid.append(backend_pid())
        assert imported.wait(20)
        VisitFactory(program=program, organization=organization, year=2021)  # its post_save refreshes the figures
        edited.set()

    run_together(import_metrics, edit_in_admin, errors=errors)

    figures = ProgramFigures.objects.get(program=program)
    assert (figures.visit_count, figures.visitors_counted) == (visits_before + 1, Decimal("30"))
    assert_consistent()


@pytest.mark.parametrize("cell_exists", [True, False], ids=["known-cell", "new-cell"])
def test_two_visits_of_one_year_and_region_saved_at_once(seed_reloaded_afterwards, transactional_db, cell_exists):
    organization = OrganizationFactory(region="jeju")
    if cell_exists:
        VisitFactory(organization=organization, year=2022)
    first_saved = threading.Event()
    second_pid = []
    errors = []

    def first():
        with transaction.atomic():
            VisitFactory(organization=organization, year=2022)  # its post_save refreshes the cell
            first_saved.set()
            deadline = time.monotonic() + 20
            while not (second_pid and blocked(second_pid[0])):
                assert time.monotonic() < deadline, "the second save did not wait for the first"
                time.sleep(0.02)

    def second():
        second_pid.append(backend_pid())
        assert first_saved.wait(20)
        VisitFactory(organization=organization, year=2022)

    run_together(first, second, errors=errors)
    assert VisitFigures.objects.get(year=2022, region="jeju").visit_count == 2 + cell_exists
    assert_consistent()
