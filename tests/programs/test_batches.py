"""Import batches (programs.batches): every import is recorded with its file, author and counts;
undoing one puts every row it touched back as it was, in one step, refused (naming the rows)
when a later change touched them; the undo is recorded in the history and can be undone too."""

import html

import pytest
from django.core.management import call_command

from portal.models import BudgetFigures, ProgramFigures
from programs import batches
from programs.importing import import_metrics
from programs.importing.budget import import_budget
from programs.models import BudgetLine, ImportBatch, ImportKind, Unit, YearlyMetric
from tests.factories import IndicatorFactory, ProgramFactory, YearlyMetricFactory
from tests.staff import admin_url, staff_client
from visits.importing import import_visits
from visits.models import Organization, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    IndicatorFactory(code="t-batch-visitors", unit=Unit.ORGANIZATIONS)
    return ProgramFactory(slug="t-batch-village")


def metrics_file(*rows: str) -> bytes:
    return ("program,indicator,year,value\n" + "\n".join(rows) + "\n").encode()


def values(program) -> dict[int, int]:
    return {m.year: int(m.value) for m in YearlyMetric.objects.filter(program=program)}


def test_an_import_is_recorded_with_its_file_author_and_counts(program, django_user_model):
    clerk = django_user_model.objects.create_user("batch-clerk")
    data = metrics_file("t-batch-village,t-batch-visitors,2019,92", "t-batch-village,t-batch-visitors,2020,40")
    outcome = import_metrics(data, user_id=clerk.pk, file_name="실적.csv")
    assert outcome.ok
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.user, batch.file_name, batch.file_size) == ("metrics", clerk, "실적.csv", len(data))
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (2, 0, 0)
    assert batches.earlier_imports(ImportKind.METRICS, data) == [batch]  # the same file again is known
    assert YearlyMetric.history.filter(import_batch=batch).count() == 2
    import_metrics(data, dry_run=True)
    assert ImportBatch.objects.count() == 1  # a preview records nothing


def test_undo_deletes_what_it_created_and_restores_what_it_changed(program):
    YearlyMetricFactory(program=program, indicator__code="t-batch-other", year=2018, value=5)
    stored = YearlyMetric.objects.create(
        program=program, indicator=YearlyMetric.objects.get(program=program).indicator, year=2019, value=10
    )
    data = (
        "program,indicator,year,value\n"
        f"t-batch-village,{stored.indicator.code},2019,92\n"
        f"t-batch-village,{stored.indicator.code},2020,40\n"
    ).encode()
    assert import_metrics(data).ok
    assert values(program) == {2018: 5, 2019: 92, 2020: 40}
    batch = ImportBatch.objects.get()
    assert ProgramFigures.objects.get(program=program).program_id == program.pk

    undo = batches.undo(batch, user_id=None)
    assert values(program) == {2018: 5, 2019: 10}
    assert undo.undoes == batch and undo.kind == ImportKind.UNDO
    record = stored.history.first()  # the newest: the undo's own history row
    assert record.history_change_reason == f"undo of import #{batch.pk}" and record.import_batch == undo
    deleted = YearlyMetric.history.filter(import_batch=undo, history_type="-")
    assert deleted.count() == 1
    with pytest.raises(batches.UndoRefused, match=f"#{batch.pk}"):
        batches.undo(batch, user_id=None)

    again = batches.undo(undo, user_id=None)  # the undo of the undo: the import once more
    assert values(program) == {2018: 5, 2019: 92, 2020: 40}
    assert again.undoes == undo


def test_a_later_edit_of_a_row_refuses_the_undo_and_names_the_row(program):
    indicator = YearlyMetric.objects.none().model.indicator.field.related_model.objects.get(code="t-batch-visitors")
    assert import_metrics(metrics_file("t-batch-village,t-batch-visitors,2019,92")).ok
    metric = YearlyMetric.objects.get(program=program, indicator=indicator)
    metric.value = 93
    metric.save()  # a clerk's correction after the import
    batch = ImportBatch.objects.get()
    with pytest.raises(batches.UndoRefused) as refused:
        batches.undo(batch, user_id=None)
    assert f"#{metric.pk}" in str(refused.value)
    assert values(program) == {2019: 93}  # nothing changed
    assert not ImportBatch.objects.filter(kind=ImportKind.UNDO).exists()


def test_undoing_a_visit_import_removes_its_new_organizations_unless_named_since(program):
    data = "program,organization,kind,region,year\nt-batch-village,시험 배치 기관,기타,서울,2019\n".encode()
    assert import_visits(data).ok
    batch = ImportBatch.objects.get(kind=ImportKind.VISITS)
    organization = Organization.objects.get(name_ko="시험 배치 기관")
    other = ProgramFactory(slug="t-batch-other")
    typed = Visit.objects.create(program=other, organization=organization, year=2020)  # typed in since
    with pytest.raises(batches.UndoRefused, match="시험 배치 기관"):
        batches.undo(batch, user_id=None)
    typed.delete()
    batches.undo(batch, user_id=None)
    assert not Organization.objects.filter(name_ko="시험 배치 기관").exists()
    assert not program.visits.exists()
    assert ProgramFigures.objects.get(program=program).visit_count == 0


def test_undoing_a_budget_import_puts_the_figures_back(program):
    data = "사업,기간,재원,예산액\nt-batch-village,2019,시비,1억\n".encode()
    one_year = BudgetFigures.objects.filter(amount="planned", period="one_year")
    before = one_year.values_list("line_count", "total").get()
    assert import_budget(data).ok
    assert ProgramFigures.objects.get(program=program).planned_total == 100_000_000
    assert one_year.values_list("line_count", "total").get() == (before[0] + 1, (before[1] or 0) + 100_000_000)
    batches.undo(ImportBatch.objects.get(kind=ImportKind.BUDGET), user_id=None)
    assert not BudgetLine.objects.filter(program=program).exists()
    assert ProgramFigures.objects.get(program=program).planned_total is None
    assert one_year.values_list("line_count", "total").get() == before  # the home page's headline too


def test_the_admin_lists_imports_and_undoes_one_after_asking(program):
    assert import_metrics(metrics_file("t-batch-village,t-batch-visitors,2019,92"), file_name="실적.csv").ok
    batch = ImportBatch.objects.get()
    clerk, _user = staff_client("예산·통계 담당")
    listing = html.unescape(clerk.get(admin_url(ImportBatch)).content.decode())
    assert "실적.csv" in listing
    page = clerk.get(admin_url(batch, "change", batch.pk)).content.decode()
    metric = YearlyMetric.objects.get(program=program)
    assert admin_url(metric, "history", metric.pk) in page  # the rows it touched, each to its history
    undo_url = admin_url(batch, "undo", batch.pk)
    assert undo_url in page
    assert clerk.get(undo_url).status_code == 200 and values(program) == {2019: 92}  # asks first
    response = clerk.post(undo_url)
    assert response.status_code == 302 and values(program) == {}
    assert clerk.post(undo_url).status_code == 403  # undone already: no second undo
    assert clerk.get(admin_url(batch, "undo", 999999)).status_code == 404

    visit_clerk, _user = staff_client("방문 기록 담당")
    assert visit_clerk.post(admin_url(batch, "undo", batch.undone_by.pk)).status_code == 403  # not their data


def test_the_commands_record_their_imports(program, tmp_path):
    file = tmp_path / "budget.csv"
    file.write_bytes("사업,기간,재원,예산액\nt-batch-village,2019,시비,1억\n".encode())
    call_command("import_budget", str(file), stdout=__import__("io").StringIO())
    assert ImportBatch.objects.get().file_name == "budget.csv"


def test_the_preview_says_when_the_same_file_was_imported_before(program):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = metrics_file("t-batch-village,t-batch-visitors,2019,92")
    assert import_metrics(data, file_name="실적.csv").ok
    clerk, _user = staff_client("예산·통계 담당")
    file = SimpleUploadedFile("실적.csv", data, content_type="text/csv")
    response = clerk.post(admin_url(YearlyMetric, "import"), {"format": "0", "resource": "0", "import_file": file})
    page = html.unescape(response.content.decode())
    assert 'id="import-earlier"' in page and f"#{ImportBatch.objects.get().pk}" in page


def test_an_import_command_says_when_the_same_file_was_imported_before(program, tmp_path):
    import io

    file = tmp_path / "metrics.csv"
    file.write_bytes(metrics_file("t-batch-village,t-batch-visitors,2019,92"))
    first, second = io.StringIO(), io.StringIO()
    call_command("import_metrics", str(file), stdout=first)
    call_command("import_metrics", str(file), "--dry-run", stdout=second)
    batch = ImportBatch.objects.get()
    assert f"#{batch.pk}" not in first.getvalue() and f"#{batch.pk}" in second.getvalue()
