"""factory_boy factories for test data that the seed does not hold."""

import factory

from policies.models import CoreValue, Policy, Sector, Source
from programs.models import BudgetLine, Category, FundingSource, Indicator, Program, Unit, YearlyMetric
from visits.models import Organization, OrganizationKind, Region, Visit


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    publisher = "테스트 출판사"
    title = factory.Sequence(lambda n: f"테스트 문서 {n}")
    year = 2020


class CoreValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoreValue
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"value-{n}")
    name = factory.Sequence(lambda n: f"가치 {n}")


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    slug = factory.Sequence(lambda n: f"test-policy-{n}")
    title_ko = factory.Sequence(lambda n: f"시험 정책 {n}")
    title_en = factory.Sequence(lambda n: f"Test policy {n}")
    summary_ko = "시험용 정책 요약"
    summary_en = "A policy for tests"
    sector = Sector.WELFARE
    start_year = 2015


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"test-program-{n}")
    name_ko = factory.Sequence(lambda n: f"시험 사업 {n}")
    name_en = factory.Sequence(lambda n: f"Test program {n}")
    description_ko = "시험용 사업 설명"
    description_en = "A program for tests"
    category = Category.FACILITY
    start_year = 2016

    @factory.post_generation
    def policies(self, create, extracted, **kwargs):
        if create:
            self.policies.set(extracted or [PolicyFactory()])


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"test-indicator-{n}")
    name_ko = factory.Sequence(lambda n: f"시험 지표 {n}")
    name_en = factory.Sequence(lambda n: f"Test indicator {n}")
    unit = Unit.COUNT
    definition_ko = "시험용 지표"
    definition_en = "An indicator for tests"


class YearlyMetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YearlyMetric

    program = factory.SubFactory(ProgramFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    year = 2020
    value = 10


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    program = factory.SubFactory(ProgramFactory)
    start_year = 2020
    end_year = 2020
    funding_source = FundingSource.CITY
    planned_amount = 1_000_000


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name_ko = factory.Sequence(lambda n: f"시험 기관 {n}")
    name_en = factory.Sequence(lambda n: f"Test organization {n}")
    kind = OrganizationKind.LOCAL_GOVERNMENT
    region = Region.SEOUL


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SubFactory(OrganizationFactory)
    year = 2020
