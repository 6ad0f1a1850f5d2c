"""The visits admin: organizations picked by autocomplete or added in place."""

import pytest

from tests.factories import OrganizationFactory, VisitFactory
from tests.staff import admin_url, staff_client
from visits.models import Organization, Visit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Organization, Visit])
def test_visits_models_list_and_add(model):
    VisitFactory()
    client, _ = staff_client("방문 기록 담당")
    assert client.get(admin_url(model, "changelist"), {"q": "시험"}).status_code == 200
    assert client.get(admin_url(model, "add")).status_code == 200


def test_visit_form_offers_autocomplete_and_an_add_button_for_organizations():
    client, _ = staff_client("방문 기록 담당")
    page = client.get(admin_url(Visit, "add")).content.decode()
    assert 'data-model-name="organization"' in page or "admin-autocomplete" in page
    assert 'id="add_id_organization"' in page  # the "+" opens the add form in a popup


def test_an_organization_added_from_the_popup_comes_back_to_the_visit_form():
    client, _ = staff_client("방문 기록 담당")
    response = client.post(
        admin_url(Organization, "add") + "?_to_field=id&_popup=1",
        {
            "name_ko": "시험 재단",
            "name_en": "Test foundation",
            "kind": "public_foundation",
            "region": "busan",
            "visits-TOTAL_FORMS": 0,
            "visits-INITIAL_FORMS": 0,
            "_popup": "1",
            "_to_field": "id",
        },
    )
    assert response.status_code == 200
    assert "popup_response" in response.templates[0].name
    assert Organization.objects.filter(name_en="Test foundation").exists()


@pytest.mark.parametrize("term", ["시험 미술 재단", "Test art foundation"])
def test_visits_are_found_by_the_organization_in_either_language(term):
    visit = VisitFactory(organization=OrganizationFactory(name_ko="시험 미술 재단", name_en="Test art foundation"))
    VisitFactory()
    client, _ = staff_client(None)
    response = client.get(admin_url(Visit, "changelist"), {"q": term})
    assert list(response.context["cl"].result_list) == [visit]
