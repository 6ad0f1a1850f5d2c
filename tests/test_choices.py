"""Choice labels (jeonju/choices.py): the same as Django's, in the active language, from a
dictionary built once per language rather than once per call."""

from django.utils import translation

from programs.models import Category, Program
from visits.models import Organization, OrganizationKind, Region


def test_labels_follow_the_active_language():
    organization = Organization(region=Region.GYEONGGI, kind=OrganizationKind.LOCAL_GOVERNMENT)
    for language in ("ko", "en", "ko"):
        with translation.override(language):
            assert organization.get_region_display() == str(Region.GYEONGGI.label)
            assert organization.get_kind_display() == str(OrganizationKind.LOCAL_GOVERNMENT.label)
    with translation.override("ko"):
        korean = organization.get_region_display()
    with translation.override("en"):
        assert organization.get_region_display() != korean


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Organization(region="atlantis").get_region_display() == "atlantis"
    assert Program(category="").get_category_display() == ""
    assert Program(category=Category.FACILITY).get_category_display() == str(Category.FACILITY.label)


def test_lookups_translate_nothing_per_call(monkeypatch):
    organization = Organization(region=Region.SEOUL)
    organization.get_region_display()  # the dictionary of this language is built

    def no_translation(*args):
        raise AssertionError("translated again")

    monkeypatch.setattr(translation, "gettext", no_translation)
    for _ in range(3):
        organization.get_region_display()
