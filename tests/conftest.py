"""Shared fixtures. The seed data is loaded once per test database; each test runs in a
transaction that is rolled back, so the seed stays as it is for the next test."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_seed", verbosity=0)


@pytest.fixture
def palbok(db):
    from programs.models import Program

    return Program.objects.get(slug="palbok-art-factory")
