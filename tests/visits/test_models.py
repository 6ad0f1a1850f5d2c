import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError

from tests.factories import OrganizationFactory, ProgramFactory, VisitFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_visit_date_must_fall_in_its_year():
    visit = VisitFactory.build(
        program=ProgramFactory(), organization=OrganizationFactory(), year=2019, visited_on=datetime.date(2018, 5, 1)
    )
    with pytest.raises(ValidationError) as error:
        visit.full_clean()
    assert "visited_on" in error.value.message_dict


def test_visit_people_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(people=0)


def test_the_same_undated_visit_cannot_be_recorded_twice_in_a_year():
    visit = VisitFactory(year=2019)
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(program=visit.program, organization=visit.organization, year=2019)
    # A dated visit of the same organization in the same year is another visit.
    dated = datetime.date(2019, 3, 2)
    VisitFactory(program=visit.program, organization=visit.organization, year=2019, visited_on=dated)


def test_organization_with_visits_cannot_be_deleted():
    visit = VisitFactory()
    with pytest.raises(ProtectedError):
        visit.organization.delete()
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_organization_name_is_unique():
    OrganizationFactory(name_ko="같은 기관")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganizationFactory(name_ko="같은 기관")
