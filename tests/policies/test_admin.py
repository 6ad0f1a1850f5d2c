"""The policies admin: every model listed and searchable in both languages; site titles."""

import pytest

from policies.models import CoreValue, ElectedTerm, Policy, Source
from tests.factories import PolicyFactory
from tests.staff import admin_url, staff_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Source, CoreValue, ElectedTerm, Policy])
def test_every_policies_model_lists_and_adds(model):
    client, _ = staff_client(None)
    assert client.get(admin_url(model, "changelist"), {"q": "전주"}).status_code == 200
    assert client.get(admin_url(model, "add")).status_code == 200


@pytest.mark.parametrize("term", ["시험용 동네복지", "Test neighbourhood welfare"])
def test_policies_are_found_in_either_language(term):
    policy = PolicyFactory(title_ko="시험용 동네복지", title_en="Test neighbourhood welfare")
    client, _ = staff_client(None)
    response = client.get(admin_url(Policy, "changelist"), {"q": term})
    assert list(response.context["cl"].result_list) == [policy]


def test_admin_site_has_the_portal_title():
    from django.contrib import admin
    from django.utils import translation

    with translation.override("en"):
        assert str(admin.site.site_header) == "Jeonju policy portal · staff"
