"""Restoring a version through the history view is a change: no role may do it on a model it may
only view (or not see at all), whatever it posts; a role that may change the model restores as
before. Every history-tracked model in the admin × every role."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from policies.models import Policy, Source
from portal.management.commands.setup_roles import ROLES as GRANTS
from portal.models import SiteContact, SitePage
from programs.models import Award, BudgetLine, Indicator, Milestone, Program, YearlyMetric
from tests.factories import (
    BudgetLineFactory,
    IndicatorFactory,
    OrganizationFactory,
    PolicyFactory,
    ProgramFactory,
    SourceFactory,
    VisitFactory,
    YearlyMetricFactory,
)
from tests.staff import ROLES, form_data, staff_client
from visits.models import FollowUp, Organization, Visit, VisitHosting, VisitRequest


def visit_request() -> VisitRequest:
    request_obj = VisitRequest.objects.create(
        reference=f"T-{VisitRequest.objects.count() + 1}",
        contact_name="시험 담당",
        contact_email="desk.test@example.org",
        contact_phone="031-000-0000",
        new_organization_name="시험 기관",
        preferred_1=timezone.now() + timezone.timedelta(days=30),
        group_size=10,
        purpose="견학",
        visit_language="ko",
        consented_at=timezone.now(),
    )
    request_obj.programs.set([ProgramFactory()])
    return request_obj


pytestmark = pytest.mark.django_db


def saved(obj):
    """A row the migrations created (with no history yet), saved once so it has a version."""
    obj.save()
    return obj


# model → (how to make one, the field a role tries to set through the revert form, the value)
TRACKED = {
    Source: (SourceFactory, "title_ko", "변조된 제목"),
    Policy: (PolicyFactory, "title_ko", "변조된 정책"),
    Program: (ProgramFactory, "name_ko", "변조된 사업"),
    Milestone: (lambda: Milestone.objects.create(program=ProgramFactory(), year=2019, title_ko="개관"), "year", "2001"),
    Award: (lambda: Award.objects.create(program=ProgramFactory(), name_ko="상", year=2019), "name_ko", "변조된 상"),
    Indicator: (IndicatorFactory, "name_ko", "변조된 지표"),
    YearlyMetric: (YearlyMetricFactory, "year", "2001"),
    BudgetLine: (lambda: BudgetLineFactory(planned_amount=7_400_000_000), "planned_amount", "1"),
    Organization: (OrganizationFactory, "name_ko", "변조된 기관"),
    Visit: (VisitFactory, "people", "999"),
    VisitHosting: (lambda: VisitHosting.objects.create(program=ProgramFactory()), "host_phone", "000-0000-0000"),
    VisitRequest: (visit_request, "group_size", "99"),
    FollowUp: (
        lambda: FollowUp.objects.create(request=visit_request(), answered_at=timezone.now(), may_publish=True),
        "approved",
        "True",
    ),
    SiteContact: (lambda: saved(SiteContact.objects.get()), "phone", "010-0000-0000"),
    SitePage: (lambda: saved(SitePage.objects.get(slug="privacy")), "title_ko", "변조된 방침"),
}


def test_every_history_tracked_admin_model_is_covered():
    tracked = {model for model in admin.site._registry if hasattr(model, "history")}
    assert tracked == set(TRACKED)


def revert_url(obj) -> str:
    opts = obj._meta
    version = obj.history.earliest().history_id
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version])


@pytest.mark.parametrize("model", TRACKED, ids=lambda m: m.__name__)
@pytest.mark.parametrize("role", ROLES)
def test_a_revert_post_changes_a_record_only_with_the_right_to_change_it(role, model):
    make, field, tampered = TRACKED[model]
    obj = make()
    url = revert_url(obj)
    superuser, _ = staff_client(None, username="boss")
    data = form_data(superuser.get(url))
    data[field] = tampered
    before = obj.history.count()

    staff, _ = staff_client(role)
    response = staff.post(url, data)

    may_change = "change" in GRANTS[role].get((model._meta.app_label, model._meta.model_name), ())
    obj.refresh_from_db()
    if may_change:
        assert response.status_code == 302, response.context and response.context["adminform"].form.errors
        assert str(getattr(obj, field)) == tampered
    else:
        assert response.status_code == 403
        assert str(getattr(obj, field)) != tampered
        assert obj.history.count() == before


@pytest.mark.parametrize("role", ROLES)
def test_a_view_only_role_sees_a_version_without_the_revert_button(role):
    grants = GRANTS[role]
    model = next(m for m in TRACKED if grants.get((m._meta.app_label, m._meta.model_name)) == ("view",))
    obj = TRACKED[model][0]()
    staff, _ = staff_client(role)
    page = staff.get(revert_url(obj))
    assert page.status_code == 200
    assert page.context["revert_disabled"]
    assert 'name="_save"' not in page.content.decode()
