"""Each staff role can do its own work in the admin and cannot do the others'."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from policies.models import Policy, Sector, Source
from programs.models import BudgetLine, FundingSource, Indicator, Program, YearlyMetric
from tests.factories import IndicatorFactory, OrganizationFactory, PolicyFactory, ProgramFactory, SourceFactory
from tests.staff import ROLES, admin_url, form_data, staff_client
from visits.models import Organization, OrganizationKind, Visit

pytestmark = pytest.mark.django_db


def test_setup_roles_creates_the_groups_and_is_idempotent():
    call_command("setup_roles", stdout=io.StringIO())
    first = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.filter(name__in=ROLES)
    }
    assert set(first) == set(ROLES)
    # a permission granted by hand is taken back; nothing is duplicated
    Group.objects.get(name="방문 기록 담당").permissions.add(Permission.objects.get(codename="delete_policy"))
    call_command("setup_roles", stdout=io.StringIO())
    second = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.filter(name__in=ROLES)
    }
    assert second == first
    assert Group.objects.filter(name__in=ROLES).count() == 3
    assert "add_visit" in first["방문 기록 담당"] and "add_budgetline" not in first["방문 기록 담당"]
    assert {"add_yearlymetric", "change_yearlymetric"} <= first["예산·통계 담당"]
    assert "add_visit" not in first["예산·통계 담당"] and "change_program" not in first["예산·통계 담당"]
    assert {"change_policy", "change_program", "add_indicator", "add_source"} <= first["콘텐츠 담당"]
    assert "add_visit" not in first["콘텐츠 담당"] and "add_yearlymetric" not in first["콘텐츠 담당"]


def test_setup_roles_renames_the_former_english_groups_and_keeps_their_members():
    from django.contrib.auth import get_user_model

    User = get_user_model()
    Group.objects.filter(name__in=ROLES).delete()
    clerk = User.objects.create_user("former-clerk", is_staff=True)
    clerk.groups.add(Group.objects.create(name="Visit editors"))
    # both names present (the new one made by hand): the former one's members join the new one
    host = User.objects.create_user("former-host", is_staff=True)
    host.groups.add(Group.objects.create(name="Visit hosts"))
    Group.objects.create(name="방문 안내 담당").user_set.add(User.objects.create_user("new-host", is_staff=True))

    call_command("setup_roles", stdout=io.StringIO())
    names = set(Group.objects.values_list("name", flat=True))
    assert {"방문 기록 담당", "방문 안내 담당", "예산·통계 담당", "콘텐츠 담당"} <= names
    assert not names & {"Visit editors", "Visit hosts", "Budget editors", "Content editors"}
    assert list(clerk.groups.values_list("name", flat=True)) == ["방문 기록 담당"]
    hosts = Group.objects.get(name="방문 안내 담당")
    assert set(hosts.user_set.values_list("username", flat=True)) == {"former-host", "new-host"}
    assert hosts.permissions.filter(codename="view_visitrequest").exists()

    before = {g.pk: (g.name, set(g.user_set.values_list("pk", flat=True))) for g in Group.objects.all()}
    call_command("setup_roles", stdout=io.StringIO())
    assert {g.pk: (g.name, set(g.user_set.values_list("pk", flat=True))) for g in Group.objects.all()} == before


# --- what each role may open ------------------------------------------------------------

ADD_PAGES = {
    "방문 기록 담당": {Visit, Organization},
    "예산·통계 담당": {BudgetLine, YearlyMetric},
    "콘텐츠 담당": {Policy, Program, Indicator, Source},
}
ALL_ADD_PAGES = set().union(*ADD_PAGES.values())


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_the_add_pages_of_its_own_models_only(role):
    client, _ = staff_client(role)
    for model in ALL_ADD_PAGES:
        status = client.get(admin_url(model, "add")).status_code
        expected = 200 if model in ADD_PAGES[role] else 403
        assert status == expected, f"{role} → add {model.__name__}: {status}"


def test_superuser_opens_every_add_page():
    client, _ = staff_client(None)
    for model in ALL_ADD_PAGES:
        assert client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("방문 기록 담당", False), ("예산·통계 담당", True), ("콘텐츠 담당", False), (None, True)],
)
def test_only_budget_editors_and_superusers_may_import_metrics(role, allowed):
    client, _ = staff_client(role)
    response = client.get(admin_url(YearlyMetric, "import"))
    assert response.status_code == (200 if allowed else 403)


# --- doing the work -----------------------------------------------------------------------


def test_visit_editor_records_a_visit_and_an_organization():
    program = ProgramFactory()
    client, user = staff_client("방문 기록 담당")
    response = client.post(
        admin_url(Organization, "add"),
        {
            "name_ko": "시험시청",
            "name_en": "Test City Hall",
            "kind": OrganizationKind.LOCAL_GOVERNMENT,
            "region": "chungbuk",
            "visits-TOTAL_FORMS": 0,
            "visits-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    organization = Organization.objects.get(name_ko="시험시청")
    response = client.post(
        admin_url(Visit, "add"),
        {"program": program.pk, "organization": organization.pk, "year": 2019, "purpose_ko": "주거복지 벤치마킹"},
    )
    assert response.status_code == 302
    visit = Visit.objects.get(program=program, organization=organization)
    assert visit.history.latest().history_user == user


def test_visit_editor_finds_programs_and_organizations_by_either_language_in_autocomplete():
    ProgramFactory(name_ko="팔복 시험", name_en="Palbok test")
    OrganizationFactory(name_ko="수원시 시험", name_en="Suwon test")
    client, _ = staff_client("방문 기록 담당")
    for field, term, expected in (
        ("program", "Palbok", "팔복 시험"),
        ("program", "팔복", "팔복 시험"),
        ("organization", "Suwon", "수원시 시험"),
    ):
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": "visits", "model_name": "visit", "field_name": field, "term": term},
        )
        assert response.status_code == 200
        assert expected in [r["text"] for r in response.json()["results"]]


def test_visit_editor_cannot_change_programs_or_figures():
    program = ProgramFactory()
    client, _ = staff_client("방문 기록 담당")
    assert client.get(admin_url(Program, "change", program.pk)).status_code == 200  # view only
    response = client.post(admin_url(Program, "change", program.pk), {"slug": "renamed"})
    assert response.status_code == 403
    assert client.post(admin_url(BudgetLine, "add"), {"program": program.pk}).status_code == 403
    assert client.get(admin_url(Policy, "changelist")).status_code == 403
    program.refresh_from_db()
    assert program.slug != "renamed"


def test_budget_editor_enters_a_budget_line_and_a_metric():
    program = ProgramFactory()
    indicator = IndicatorFactory()
    client, _ = staff_client("예산·통계 담당")
    response = client.post(
        admin_url(BudgetLine, "add"),
        {
            "program": program.pk,
            "start_year": 2019,
            "end_year": 2019,
            "funding_source": FundingSource.NATIONAL,
            "planned_amount": 2_500_000_000,
        },
    )
    assert response.status_code == 302
    assert BudgetLine.objects.get(program=program).planned_amount == 2_500_000_000
    response = client.post(
        admin_url(YearlyMetric, "add"),
        {
            "program": program.pk,
            "indicator": indicator.pk,
            "year": 2019,
            "kind": "actual",
            "value": "92",
            "as_of": "2019-10-21",
        },
    )
    assert response.status_code == 302
    assert YearlyMetric.objects.get(program=program).value == 92


def test_budget_editor_cannot_record_visits_or_edit_content():
    program = ProgramFactory()
    organization = OrganizationFactory()
    client, _ = staff_client("예산·통계 담당")
    response = client.post(
        admin_url(Visit, "add"), {"program": program.pk, "organization": organization.pk, "year": 2019}
    )
    assert response.status_code == 403
    assert client.post(admin_url(Policy, "add"), {"slug": "x"}).status_code == 403
    assert client.post(admin_url(Program, "change", program.pk), {"slug": "renamed"}).status_code == 403
    assert not Visit.objects.filter(program=program).exists()


def test_content_editor_writes_policies_and_programs():
    program = ProgramFactory()
    client, _ = staff_client("콘텐츠 담당")
    response = client.post(
        admin_url(Policy, "add"),
        {
            "slug": "test-welfare",
            "title_ko": "동네복지",
            "title_en": "Neighbourhood welfare",
            "summary_ko": "동 단위 복지",
            "summary_en": "Welfare by neighbourhood",
            "sector": Sector.WELFARE,
            "status": "active",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Policy.objects.get(slug="test-welfare").title_en == "Neighbourhood welfare"

    page = client.get(admin_url(Program, "change", program.pk))
    data = form_data(page)
    data["name_en"] = "Renamed program"
    response = client.post(admin_url(Program, "change", program.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    program.refresh_from_db()
    assert program.name_en == "Renamed program"


def test_content_editor_cannot_touch_visits_budgets_or_metrics():
    program = ProgramFactory()
    client, _ = staff_client("콘텐츠 담당")
    assert client.get(admin_url(Visit, "changelist")).status_code == 403
    assert client.get(admin_url(Organization, "add")).status_code == 403
    assert client.post(admin_url(BudgetLine, "add"), {"program": program.pk}).status_code == 403
    line = BudgetLine.objects.create(program=program, funding_source=FundingSource.CITY, planned_amount=1)
    response = client.post(admin_url(BudgetLine, "change", line.pk), {"program": program.pk, "planned_amount": 5})
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.planned_amount == 1


def test_staff_without_a_role_sees_nothing():
    client, user = staff_client("방문 기록 담당", username="nobody")
    user.groups.clear()
    for model in (Visit, Program, Policy, YearlyMetric):
        assert client.get(admin_url(model, "changelist")).status_code == 403


def test_superuser_keeps_every_model():
    client, _ = staff_client(None)
    PolicyFactory()
    SourceFactory()
    OrganizationFactory()
    for model in (Policy, Program, Source, Indicator, Visit, Organization, YearlyMetric, BudgetLine):
        assert client.get(admin_url(model, "changelist")).status_code == 200
