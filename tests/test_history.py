"""Every staff edit is kept (who, when, what changed), shown in the admin, and an earlier
version can be restored; deleting what visits, metrics or budget lines still point at is
refused with a message, not cascaded."""

import pytest
from django.urls import reverse

from programs.models import Program
from tests.factories import BudgetLineFactory, OrganizationFactory, ProgramFactory, VisitFactory, YearlyMetricFactory
from tests.staff import admin_url, change, form_data, staff_client
from visits.models import Organization

pytestmark = pytest.mark.django_db


def test_admin_history_shows_who_changed_what(client):
    organization = OrganizationFactory(name_ko="옛 이름", name_en="Old name")
    staff, user = staff_client("방문 기록 담당", username="kim")
    change(staff, organization, name_ko="새 이름", name_en="New name")
    record = organization.history.latest()
    assert (record.history_user, record.history_type) == (user, "~")

    response = staff.get(admin_url(organization, "history", organization.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "kim" in page
    assert "옛 이름" in page and "새 이름" in page  # the change, old → new
    assert "Old name" in page and "New name" in page


def test_an_earlier_version_is_restored_in_both_languages():
    organization = OrganizationFactory(name_ko="원래 이름", name_en="Original name", municipality_ko="수원시")
    staff, _ = staff_client("방문 기록 담당")
    original = organization.history.earliest()
    change(staff, organization, name_ko="잘못 고친 이름", name_en="Wrong name", municipality_ko="")

    revert_url = reverse("admin:visits_organization_simple_history", args=[organization.pk, original.history_id])
    page = staff.get(revert_url)
    assert page.status_code == 200
    response = staff.post(revert_url, form_data(page))
    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.name_ko, organization.name_en, organization.municipality_ko) == (
        "원래 이름",
        "Original name",
        "수원시",
    )
    assert organization.history.count() == 3  # created, wrongly changed, restored


def test_a_program_with_inlines_is_restored():
    program = ProgramFactory(name_ko="팔복 시험", name_en="Palbok test")
    YearlyMetricFactory(program=program)
    staff, _ = staff_client("콘텐츠 담당")
    original = program.history.earliest()
    change(staff, program, name_en="Renamed")
    revert_url = reverse("admin:programs_program_simple_history", args=[program.pk, original.history_id])
    response = staff.post(revert_url, form_data(staff.get(revert_url)))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.name_en == "Palbok test"


def test_revert_needs_the_right_to_change():
    organization = OrganizationFactory()
    staff, _ = staff_client("예산·통계 담당")
    revert_url = reverse(
        "admin:visits_organization_simple_history", args=[organization.pk, organization.history.get().history_id]
    )
    assert staff.post(revert_url, {"name_ko": "x"}).status_code == 403


# --- protected deletes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "referrer",
    [
        lambda program: VisitFactory(program=program),
        lambda program: YearlyMetricFactory(program=program),
        lambda program: BudgetLineFactory(program=program),
    ],
    ids=["visit", "metric", "budget line"],
)
def test_deleting_a_program_still_referred_to_is_refused(referrer):
    program = ProgramFactory()
    referrer(program)
    staff, _ = staff_client(None)
    url = admin_url(program, "delete", program.pk)
    page = staff.get(url)
    assert page.status_code == 200
    assert page.context["protected"]  # Django lists the objects that keep it
    response = staff.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "protected" in response.context
    assert Program.objects.filter(pk=program.pk).exists()


def test_bulk_delete_of_programs_and_organizations_is_refused_while_referred_to():
    visit = VisitFactory()
    free = ProgramFactory()
    staff, _ = staff_client(None)
    for model, objs in ((Program, [visit.program, free]), (Organization, [visit.organization])):
        response = staff.post(
            admin_url(model, "changelist"),
            {"action": "delete_selected", "_selected_action": [o.pk for o in objs], "post": "yes"},
        )
        assert response.status_code == 200
        assert response.context["protected"]
        assert model.objects.filter(pk__in=[o.pk for o in objs]).count() == len(objs)


def test_deleting_an_organization_with_visits_is_refused_for_its_editors_too():
    visit = VisitFactory()
    staff, _ = staff_client("방문 기록 담당")
    response = staff.post(admin_url(Organization, "delete", visit.organization.pk), {"post": "yes"})
    assert response.status_code == 200
    assert response.context["protected"]
    assert Organization.objects.filter(pk=visit.organization.pk).exists()


def test_an_unreferenced_program_can_be_deleted():
    program = ProgramFactory()
    staff, _ = staff_client(None)
    response = staff.post(admin_url(program, "delete", program.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Program.objects.filter(pk=program.pk).exists()
