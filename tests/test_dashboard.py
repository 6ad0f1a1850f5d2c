"""The admin's first page opens on the work waiting for the clerk's role (portal.dashboard)."""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from programs.importing import import_metrics
from programs.models import BudgetLine, ImportBatch
from tests.factories import BudgetLineFactory, ProgramFactory
from tests.staff import staff_client
from visits.models import VisitRequest

pytestmark = pytest.mark.django_db


def index(client) -> str:
    response = client.get("/admin/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_budget_clerk_sees_the_figures_and_lines_due_and_the_last_imports():
    year = timezone.localdate().year
    program = ProgramFactory(slug="t-dash-lab", name_ko="시험 대시보드 사업", status="active")
    line = BudgetLineFactory(program=program, start_year=year - 2, end_year=year - 2, executed_amount=None)
    BudgetLineFactory(program=program, start_year=year, end_year=year, executed_amount=None)  # not finished
    import_metrics(b"program,indicator,year,value\n", file_name="none.csv")  # refused: not recorded
    clerk, _user = staff_client("예산·통계 담당")
    page = index(clerk)
    assert 'id="dashboard-no-figure"' in page and "시험 대시보드 사업" in page
    assert 'id="dashboard-partial"' in page  # the seed's 2019 counts "as of" a day of 2019
    assert 'id="dashboard-no-execution"' in page and f"/admin/programs/budgetline/{line.pk}/change/" in page
    assert BudgetLine.objects.filter(program=program, executed_amount__isnull=True).count() == 2
    assert 'id="dashboard-imports"' in page and not ImportBatch.objects.exists()
    assert 'id="dashboard-requests"' not in page  # not this role's work


def test_a_visit_clerk_sees_the_waiting_requests_only():
    clerk, _user = staff_client("방문 기록 담당")
    page = index(clerk)
    assert 'id="dashboard-requests"' in page
    assert 'id="dashboard-no-execution"' not in page and 'id="dashboard-partial"' not in page
    assert "/admin/visits/visitrequest/?state=open" in page
    assert VisitRequest.objects.count() == 0


def test_the_dashboard_costs_the_same_queries_whatever_the_data():
    clerk, _user = staff_client(None)
    with CaptureQueriesContext(connection) as few:
        clerk.get("/admin/")
    for n in range(12):
        BudgetLineFactory(start_year=2000 + n, end_year=2000 + n, executed_amount=None)
        ProgramFactory(status="active")
    with CaptureQueriesContext(connection) as many:
        clerk.get("/admin/")
    assert len(many) == len(few)
