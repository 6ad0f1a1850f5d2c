"""A change form opened before another write (an import, another clerk) and saved after it does not
silently put the old values back: the clerk is shown who changed what, and nothing is written
until they save again having seen it."""

import pytest
from django.utils import translation

from programs.importing import import_metrics
from programs.models import YearlyMetric
from tests.factories import IndicatorFactory, OrganizationFactory, ProgramFactory, YearlyMetricFactory
from tests.staff import admin_url, form_data, staff_client

pytestmark = pytest.mark.django_db


def errors_of(response) -> list[str]:
    return [str(e) for e in response.context["adminform"].form.non_field_errors()]


def told_of_a_conflict(response) -> bool:
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = translation.gettext("This record was changed after you opened it, so your changes were not saved.")
    return expected in errors_of(response)


def test_a_form_opened_before_an_import_does_not_overwrite_the_imported_value():
    program = ProgramFactory(slug="palbok")
    indicator = IndicatorFactory(code="test-count")
    metric = YearlyMetricFactory(program=program, indicator=indicator, year=2019, value=92)
    clerk, _ = staff_client("예산·통계 담당")
    url = admin_url(metric, "change", metric.pk)
    data = form_data(clerk.get(url))  # the form is opened while the value is 92

    outcome = import_metrics(b"program,indicator,year,value\npalbok,test-count,2019,95\n")
    assert outcome.ok and outcome.counts["updated"] == 1

    data["note_ko"] = "비고만 고침"  # the clerk changes only the note
    response = clerk.post(url, data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert told_of_a_conflict(response)
    assert any("92.00 → 95.00" in e and "CSV import" in e for e in errors), errors
    metric.refresh_from_db()
    assert metric.value == 95 and not metric.note_ko

    # Saving again, having seen the change, is deliberate; the form now carries the new version.
    again = form_data(response)
    again["value"] = "95"
    assert clerk.post(url, again).status_code == 302
    metric.refresh_from_db()
    assert (metric.value, metric.note_ko) == (95, "비고만 고침")


def test_two_clerks_editing_one_record_the_second_is_told():
    organization = OrganizationFactory(name_ko="전주시청")
    first, _ = staff_client("방문 기록 담당", username="first")
    second, _ = staff_client(None, username="second")
    url = admin_url(organization, "change", organization.pk)
    first_data = form_data(first.get(url))
    second_data = form_data(second.get(url))

    second_data["name_ko"] = "전주시"
    assert second.post(url, second_data).status_code == 302
    first_data["municipality_ko"] = "전주"
    response = first.post(url, first_data)
    assert response.status_code == 200
    assert any("second" in e and "전주시청 → 전주시" in e for e in errors_of(response)), errors_of(response)
    organization.refresh_from_db()
    assert organization.name_ko == "전주시" and not organization.municipality_ko


def test_an_unchanged_record_saves_as_before():
    organization = OrganizationFactory(name_ko="시험 수원 기관")
    clerk, _ = staff_client("방문 기록 담당")
    url = admin_url(organization, "change", organization.pk)
    data = form_data(clerk.get(url))
    data["name_ko"] = "시험 수원특례 기관"
    assert clerk.post(url, data).status_code == 302
    organization.refresh_from_db()
    assert organization.name_ko == "시험 수원특례 기관"


def test_an_inline_row_changed_since_the_page_was_opened_is_not_overwritten():
    program = ProgramFactory(slug="palbok")
    indicator = IndicatorFactory(code="test-count")
    metric = YearlyMetricFactory(program=program, indicator=indicator, year=2019, value=92)
    editor, _ = staff_client(None)
    url = admin_url(program, "change", program.pk)
    data = form_data(editor.get(url))

    import_metrics(b"program,indicator,year,value\npalbok,test-count,2019,95\n")

    data["name_en"] = "Palbok Art Factory"
    response = editor.post(url, data)
    assert response.status_code == 200
    metric.refresh_from_db()
    assert metric.value == 95
    assert YearlyMetric.objects.get(pk=metric.pk).value == 95
