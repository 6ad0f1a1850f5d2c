import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from policies.models import Policy, Source, Status
from tests.factories import PolicyFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_policy_end_year_before_start_is_refused_by_clean_and_database():
    policy = PolicyFactory.build(start_year=2019, end_year=2015)
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "end_year" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


@pytest.mark.parametrize("year", [1800, 2500])
def test_policy_year_outside_sane_range_is_refused(year):
    policy = PolicyFactory.build(start_year=year)
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "start_year" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_completed_policy_needs_an_end_year():
    policy = PolicyFactory.build(status=Status.COMPLETED, end_year=None)
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert "end_year" in error.value.message_dict


def test_policy_slug_is_unique():
    PolicyFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyFactory(slug="same")


def test_policy_search_matches_korean_and_english_titles():
    hit = PolicyFactory(title_ko="시험 문화재생", title_en="Test regeneration")
    PolicyFactory(title_ko="다른 정책", title_en="Another")
    assert hit in Policy.objects.search("문화재생")
    assert hit in Policy.objects.search("REGENERATION")
    assert Policy.objects.search("시험 문화재생").count() == 1


def test_policy_title_follows_the_active_language_and_falls_back_to_korean():
    policy = PolicyFactory(title_ko="동네복지 시험", title_en="")
    with translation.override("en"):
        assert Policy.objects.get(pk=policy.pk).title == "동네복지 시험"
    policy.title_en = "Dongne welfare test"
    policy.save()
    with translation.override("en"):
        assert Policy.objects.get(pk=policy.pk).title == "Dongne welfare test"
    with translation.override("ko"):
        assert Policy.objects.get(pk=policy.pk).title == "동네복지 시험"


def test_source_year_must_match_its_publication_date():
    source = SourceFactory.build(year=2018, published_on=datetime.date(2019, 10, 21))
    with pytest.raises(ValidationError) as error:
        source.full_clean()
    assert "year" in error.value.message_dict


def test_source_is_unique_per_publisher_title_and_year():
    SourceFactory(publisher="업코리아", title="같은 기사", year=2019)
    with pytest.raises(IntegrityError), transaction.atomic():
        Source.objects.create(publisher="업코리아", title="같은 기사", year=2019)


def test_source_str_names_publisher_title_and_date():
    source = SourceFactory.build(publisher="업코리아", title="전주를 배워라", published_on=datetime.date(2019, 10, 21))
    assert str(source) == "업코리아, «전주를 배워라», 2019-10-21"
    source.published_on = None
    source.year = 2022
    assert str(source).endswith("2022")
