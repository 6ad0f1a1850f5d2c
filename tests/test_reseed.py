"""Loading the seed again (`make run`, `make setup`, `load_seed`) never overwrites staff work.

A seed row that staff changed or deleted since, in the admin or by the metric import, is kept
as they left it; a seed row nobody touched that differs from the fixture (the fixture was
corrected since) is brought back to it, and a missing one nobody deleted (new in the fixture)
is created. The databases seeded before this rule (by plain loaddata, which wrote history rows
of its own) are reseeded by the same rule."""

import io
import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from policies.models import CoreValue, ElectedTerm, Policy
from portal.management.commands.load_seed import SEED_FIXTURE
from programs.importing import import_metrics
from programs.models import Award, BudgetLine, Program, YearlyMetric
from tests.staff import admin_url, change, staff_client
from visits.models import Organization, Visit

pytestmark = pytest.mark.django_db

SEED = {(o["model"], o["pk"]): o["fields"] for o in json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))}
SEED_APPS = ("policies", "programs", "visits")


def reseed(verbosity=1) -> str:
    out = io.StringIO()
    call_command("load_seed", verbosity=verbosity, stdout=out)
    return out.getvalue()


def import_csv(user, line: str):
    outcome = import_metrics(f"program,indicator,year,value\n{line}\n".encode(), user_id=user.pk, reason="CSV import")
    assert outcome.ok, outcome.parsed.problems


def vanish(model, pk):
    """Remove a seed row and every trace of it, as if the fixture had gained it since."""
    model.objects.get(pk=pk).delete()
    model.history.filter(id=pk).delete()


def delete_in_admin(client, obj):
    assert client.post(admin_url(obj, "delete", obj.pk), {"post": "yes"}).status_code == 302


def history_counts() -> dict[str, int]:
    models = [model for app in SEED_APPS for model in apps.get_app_config(app).get_models()]
    tracked = [model for model in models if hasattr(model._meta, "simple_history_manager_attribute")]
    return {model._meta.label: model.history.count() for model in tracked}


@pytest.fixture(params=["seeded by load_seed", "seeded by loaddata, as before"])
def seeded(request):
    """The test database is seeded by load_seed. A database seeded before this change was
    seeded by plain loaddata, which recorded a change (no user, no reason) each time it set a
    program's policies or a policy's core values and terms: those records are no staff edit."""
    if request.param == "seeded by loaddata, as before":
        for field in (Program.policies, Policy.core_values, Policy.terms):
            field.through.objects.all().delete()
        call_command("loaddata", str(SEED_FIXTURE), verbosity=0)
        assert set(Program.history.values_list("id", flat=True)) == set(Program.objects.values_list("pk", flat=True))


def test_reseeding_keeps_every_staff_edit_and_restores_what_nobody_touched(seeded):
    visit_editor, _ = staff_client("방문 기록 담당")
    content_editor, _ = staff_client("콘텐츠 담당")
    budget_editor, budget_user = staff_client("예산·통계 담당")

    # Staff work: in the admin, and by the metric import.
    change(visit_editor, Visit.objects.get(pk=1), people="7")
    change(content_editor, Program.objects.get(slug="palbok-art-factory"), description_en="As staff wrote it.")
    change(content_editor, Policy.objects.get(slug="culture-regeneration"), summary_ko="직원이 고친 요약")
    delete_in_admin(content_editor, Policy.objects.get(slug="independent-local-economy"))
    change(budget_editor, BudgetLine.objects.get(pk=3), planned_amount="7500000000")
    import_csv(budget_user, "palbok-art-factory,visiting-organizations,2018,85")

    # What nobody touched differs from the fixture, as after a correction of the fixture.
    Visit.objects.filter(pk=2).update(people=3)
    Program.objects.filter(slug="carbon-3d-printing").update(name_en="An old English name")
    Program.policies.through.objects.filter(program__slug="garden-city").delete()
    YearlyMetric.objects.filter(pk=2).update(value=1)
    vanish(Award, 2)

    history = history_counts()
    output = reseed(verbosity=2)

    assert Visit.objects.get(pk=1).people == 7
    assert Program.objects.get(slug="palbok-art-factory").description_en == "As staff wrote it."
    assert Policy.objects.get(slug="culture-regeneration").summary_ko == "직원이 고친 요약"
    assert not Policy.objects.filter(slug="independent-local-economy").exists()
    assert not Program.objects.filter(slug="local-food-school-meals", policies__isnull=False).exists()
    assert BudgetLine.objects.get(pk=3).planned_amount == 7_500_000_000
    assert YearlyMetric.objects.get(pk=1).value == Decimal("85")

    assert Visit.objects.get(pk=2).people is None
    assert Program.objects.get(pk=5).name_en == SEED["programs.program", 5]["name_en"]
    assert list(Program.objects.get(slug="garden-city").policies.values_list("pk", flat=True)) == [11]
    assert YearlyMetric.objects.get(pk=2).value == Decimal("92")
    assert Award.objects.get(pk=2).name_en == SEED["programs.award", 2]["name_en"]
    assert history_counts() == history  # the reseed wrote no history: it is nobody's edit

    assert "1 created, 4 updated" in output
    assert "6 kept as staff changed them" in output
    assert set(re.findall(r"^  kept: (\S+ \d+)", output, re.MULTILINE)) == {
        "visits.visit 1",
        "programs.program 1",
        "policies.policy 1",
        "policies.policy 9",
        "programs.budgetline 3",
        "programs.yearlymetric 1",
    }


def test_only_the_summary_at_the_default_verbosity(seeded):
    staff, _ = staff_client("방문 기록 담당")
    change(staff, Visit.objects.get(pk=1), people="7")
    output = reseed()
    assert "1 kept as staff changed them" in output
    assert "visits.visit 1" not in output


def test_a_new_seed_row_whose_key_staff_already_hold_is_left_out_and_named():
    vanish(YearlyMetric, 1)  # the fixture gains Palbok's 2018 count…
    _, user = staff_client("예산·통계 담당")
    import_csv(user, "palbok-art-factory,visiting-organizations,2018,80")  # …which staff imported meanwhile

    output = reseed()

    kept = YearlyMetric.objects.get(
        program__slug="palbok-art-factory", indicator__code="visiting-organizations", year=2018
    )
    assert kept.value == Decimal("80") and kept.pk != 1
    assert re.search(r"not loaded: programs\.yearlymetric 1\b.*already exists", output)


def test_a_new_seed_row_referring_to_a_row_staff_deleted_is_left_out():
    vanish(Visit, 1)  # the fixture gains a visit of an organization…
    staff, _ = staff_client("방문 기록 담당")
    delete_in_admin(staff, Organization.objects.get(pk=1))  # …which staff deleted meanwhile

    output = reseed()

    assert not Organization.objects.filter(pk=1).exists()
    assert not Visit.objects.filter(pk=1).exists()
    assert re.search(r"not loaded: visits\.visit 1\b.*visits\.organization 1", output)


def test_core_values_and_terms_keep_no_history_so_are_never_changed_but_created_when_missing():
    staff, _ = staff_client("콘텐츠 담당")
    change(staff, CoreValue.objects.get(code="people"), name_en="Citizens")
    delete_in_admin(staff, ElectedTerm.objects.get(pk=7))

    output = reseed(verbosity=2)

    assert CoreValue.objects.get(code="people").name_en == "Citizens"
    assert ElectedTerm.objects.get(pk=7).name_ko == SEED["policies.electedterm", 7]["name_ko"]
    assert re.search(r"kept: policies\.corevalue 1 .*not history-tracked", output)


def seed_tables() -> set[str]:
    return {
        model._meta.db_table
        for app in SEED_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }


def test_a_fresh_load_leaves_no_history_and_loading_again_writes_nothing():
    assert not any(history_counts().values())  # the test database is freshly seeded

    with CaptureQueriesContext(connection) as queries:
        output = reseed()

    writes = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
    tables = seed_tables()
    written = [q["sql"] for q in queries if writes.match(q["sql"]) and any(f'"{t}"' in q["sql"] for t in tables)]
    assert written == []
    assert f"0 created, 0 updated, {len(SEED)} unchanged, 0 kept" in output
