"""generate_demo_data: the promised counts, the same data for the same seed, clearly marked,
and the real seed data untouched (also by --clear)."""

import io

import pytest
from django.core.management import call_command

from policies.models import Source
from programs.models import BudgetLine, Program, YearlyMetric
from visits.models import Organization, Visit

MODELS = (Program, Organization, Visit, YearlyMetric, BudgetLine, Source)


def generate(*args):
    call_command("generate_demo_data", *args, stdout=io.StringIO())


def real_rows():
    """Every row that is not synthetic, per model."""
    return {
        Program: set(Program.objects.exclude(slug__startswith="demo-").values_list("pk", "slug", "name_ko")),
        Organization: set(Organization.objects.exclude(name__startswith="[demo]").values_list("pk", "name")),
        Visit: set(Visit.objects.exclude(program__slug__startswith="demo-").values_list("pk", "program", "year")),
        YearlyMetric: set(YearlyMetric.objects.exclude(program__slug__startswith="demo-").values_list("pk", "value")),
        BudgetLine: set(
            BudgetLine.objects.exclude(program__slug__startswith="demo-").values_list("pk", "planned_amount")
        ),
        Source: set(Source.objects.exclude(publisher__startswith="Synthetic").values_list("pk", "title")),
    }


def synthetic_visits():
    return list(
        Visit.objects.filter(program__slug__startswith="demo-")
        .order_by("program__slug", "organization__name", "year", "visited_on")
        .values_list("program__slug", "organization__name", "year", "visited_on", "people", "purpose")
    )


@pytest.mark.django_db
def test_scale_one_adds_the_promised_rows_clearly_marked_and_leaves_the_seeds_alone(palbok):
    before = real_rows()
    generate("--scale", "1", "--seed", "5")
    assert Program.objects.filter(slug__startswith="demo-", name_ko__startswith="[demo]").count() == 20
    assert Organization.objects.filter(name__startswith="[demo]").count() == 50
    source = Source.objects.get(publisher="Synthetic benchmark data — not real")
    assert Visit.objects.filter(source=source).count() == 2000
    assert YearlyMetric.objects.filter(source=source).count() == 1000
    assert BudgetLine.objects.filter(source=source).count() > 20
    assert not Visit.objects.filter(source=source).exclude(program__slug__startswith="demo-").exists()
    assert not Visit.objects.filter(source=source).exclude(organization__name__startswith="[demo]").exists()
    # Every synthetic program belongs to a real policy, so the policy pages and filters see them.
    assert not Program.objects.filter(slug__startswith="demo-", policies=None).exists()
    assert real_rows() == before
    assert YearlyMetric.objects.get(program=palbok, indicator__code="visiting-organizations", year=2018).value == 84


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data_and_running_twice_duplicates_nothing():
    generate("--scale", "1", "--seed", "7")
    first = synthetic_visits()
    generate("--scale", "1", "--seed", "7")
    assert synthetic_visits() == first
    assert Program.objects.filter(slug__startswith="demo-").count() == 20
    generate("--scale", "1", "--seed", "8")
    assert synthetic_visits() != first


@pytest.mark.django_db
def test_clear_removes_only_the_synthetic_rows():
    before = real_rows()
    counts = {model: model.objects.count() for model in MODELS}
    generate("--scale", "1")
    generate("--clear")
    assert {model: model.objects.count() for model in MODELS} == counts
    assert real_rows() == before
