"""The seed fixture holds the figures of ../shared/domain.md, with their sources."""

import datetime
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from policies.models import Policy, Source
from programs.models import Award, BudgetLine, Milestone, Program, YearlyMetric
from visits.models import Organization, Visit

pytestmark = pytest.mark.django_db


def counts(program_slug, indicator="visiting-organizations"):
    rows = YearlyMetric.objects.filter(program__slug=program_slug, indicator__code=indicator, kind="actual")
    return {m.year: (m.value, m.as_of) for m in rows}


def test_palbok_visiting_organizations_84_in_2018_and_92_so_far_in_2019():
    assert counts("palbok-art-factory") == {
        2018: (Decimal("84"), None),
        2019: (Decimal("92"), datetime.date(2019, 10, 21)),
    }


def test_carbon_institute_visiting_organizations_2017_to_2019():
    assert counts("carbon-convergence-institute") == {
        2017: (Decimal("37"), None),
        2018: (Decimal("32"), None),
        2019: (Decimal("40"), datetime.date(2019, 10, 21)),
    }


def test_seonosong_visiting_organizations():
    assert counts("seonosong-art-village") == {
        2018: (Decimal("51"), None),
        2019: (Decimal("42"), datetime.date(2019, 10, 21)),
    }


def test_palbok_named_visitors_are_visit_records_without_dates():
    visits = Visit.objects.filter(program__slug="palbok-art-factory")
    names = set(visits.values_list("organization__name_ko", flat=True))
    assert names == {
        "강원도사회적경제지원센터",
        "세종시 문화공간재생사업단",
        "수원시",
        "창원시 문화특별도시조성사업단",
        "성남문화재단",
        "부산광역시",
        "대전문화재단",
        "경남교육청",
        "지방자치인재개발원",
    }
    assert all(v.year == 2019 and v.visited_on is None for v in visits)
    # The count (92) is a metric; the named visitors are never padded to match it.
    assert visits.count() < 92


def test_palbok_budget_is_5_billion_of_which_2_5_billion_national():
    lines = BudgetLine.objects.filter(program__slug="palbok-art-factory")
    assert sum(line.executed_amount for line in lines) == 5_000_000_000
    assert lines.get(funding_source="national").executed_amount == 2_500_000_000


def test_seonmi_chon_regeneration_budget_2017_to_2020():
    line = BudgetLine.objects.get(program__slug="seonosong-art-village")
    assert (line.start_year, line.end_year, line.planned_amount) == (2017, 2020, 7_400_000_000)


def test_palbok_awards():
    palbok = Program.objects.get(slug="palbok-art-factory")
    awards = {(a.year, a.month) for a in palbok.awards.all()}
    assert {(2019, 3), (2019, 9)} <= awards


def test_every_metric_budget_line_and_visit_has_a_source():
    assert not YearlyMetric.objects.filter(source__isnull=True).exists()
    assert not BudgetLine.objects.filter(source__isnull=True).exists()
    assert not Visit.objects.filter(source__isnull=True).exists()


def test_every_seed_object_passes_full_clean():
    for app_label in ("policies", "programs", "visits"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for obj in model.objects.all():
                obj.full_clean()


def test_every_program_and_policy_has_both_languages():
    for program in Program.objects.all():
        assert program.name_ko and program.name_en and program.description_ko and program.description_en


def test_loading_the_seed_again_duplicates_nothing():
    before = {m: m.objects.count() for m in (Program, YearlyMetric, BudgetLine, Visit)}
    call_command("load_seed", verbosity=0)
    assert {m: m.objects.count() for m in before} == before


# --- The corrections of issue 12 ---------------------------------------------------------------


def seed_text_fields(language_suffix=""):
    """(object, field name, text) for every text field of every seed row; only `*_en` fields when
    `language_suffix` is "_en"."""
    for app_label in ("policies", "programs", "visits"):
        for model in apps.get_app_config(app_label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField) and f.name.endswith(language_suffix)
            ]
            for obj in model.objects.all():
                for name in fields:
                    yield obj, name, getattr(obj, name) or ""


def test_dongne_welfare_is_never_spelled_donne():
    assert [(o, n) for o, n, text in seed_text_fields() if "donne" in text.lower()] == []
    assert Program.objects.get(slug="dongne-welfare").name_en == "Dongne (neighborhood) welfare"
    assert Policy.objects.get(slug="dongne-welfare").title_en == "Dongne (neighborhood) welfare"


def test_every_english_seed_field_uses_american_spelling():
    british = re.compile(r"programme|centre|neighbour|counsell|realis|organis", re.IGNORECASE)
    assert [(o, n, text) for o, n, text in seed_text_fields("_en") if british.search(text)] == []


def test_each_ministry_has_one_english_name():
    variants = re.compile(r"land[- ]ministry|Minister of Land'|culture ministry|health ministry", re.IGNORECASE)
    short_molit = re.compile(r"Ministry of Land(?!, Infrastructure and Transport)|Minister of Land(?!, Infrastructure)")
    english = list(seed_text_fields("_en"))
    assert [(o, n, t) for o, n, t in english if variants.search(t) or short_molit.search(t)] == []
    assert Organization.objects.get(name_ko="국토교통부 주거재생과").name_en.startswith(
        "Ministry of Land, Infrastructure and Transport"
    )


def test_award_names_in_english():
    palbok_townscape = Award.objects.get(program__slug="palbok-art-factory", name_ko="2019 아시아 도시경관상")
    assert (palbok_townscape.name_en, palbok_townscape.year, palbok_townscape.month) == (
        "2019 Asian Townscape Award",
        2019,
        9,
    )
    names = {a.name_ko: a.name_en for a in Award.objects.filter(program__slug="ondure-communities")}
    assert "top excellence award" in names["'천사길 사람들' 전국 공동체 한마당 최우수상"]
    assert "grand prize" in names["'느루걸음' 이그나이트 V-korea 대회 대상"]
    assert "encouragement award" in names["'동화나래 연구소' 이그나이트 V-korea 대회 장려상"]


def test_the_asian_townscape_award_is_on_the_palbok_page(client):
    assert "2019 Asian Townscape Award" in client.get("/en/programs/palbok-art-factory/").content.decode()
    assert "2019 아시아 도시경관상" in client.get("/programs/palbok-art-factory/").content.decode()


def test_the_seonmi_chon_purchases_are_dated_2017_to_2019_not_2019_alone(client):
    purchases = Milestone.objects.get(program__slug="seonosong-art-village", title_ko__contains="5호점")
    assert 2017 <= purchases.year <= 2019
    assert "2017~2019" in purchases.title_ko and "보도자료 기준" in purchases.title_ko
    assert "2017–2019" in purchases.title_en and "as the source gives it" in purchases.title_en
    assert "2017–2019: five buildings bought" in client.get("/en/programs/seonosong-art-village/").content.decode()


INFERRED_KO = "기사 내용으로 추정"
INFERRED_EN = "inferred from the article"


def test_every_dated_record_from_source_e_says_its_year_is_inferred():
    # Source E (the 2021 briefing) prints no year. Metrics are left out: their notes belong to
    # another change; their pages name the source, whose line says the year is inferred.
    source = Source.objects.get(title_ko="전주형 뉴딜로 경제 대전환 선도")
    assert INFERRED_KO in source.publisher_ko and INFERRED_EN in source.publisher_en
    for milestone in Milestone.objects.filter(source=source):
        assert INFERRED_KO in milestone.title_ko and INFERRED_EN in milestone.title_en, milestone
    for line in BudgetLine.objects.filter(source=source, start_year__isnull=False):
        assert INFERRED_KO in line.note_ko and INFERRED_EN in line.note_en, line
    for program in Program.objects.filter(sources=source, start_year__isnull=False):
        assert INFERRED_KO in program.description_ko and INFERRED_EN in program.description_en, program


def test_every_page_citing_source_e_says_the_year_is_inferred(client):
    for program in Program.objects.filter(sources__title_ko="전주형 뉴딜로 경제 대전환 선도"):
        assert "연도는 기사 내용으로 추정" in client.get(f"/programs/{program.slug}/").content.decode()
        assert "year inferred from the article" in client.get(f"/en/programs/{program.slug}/").content.decode()


def test_the_campaign_end_is_a_plan_and_its_status_says_it_is_inferred():
    campaign = Program.objects.get(slug="good-prepayment-campaign")
    assert "계획된 종료일로 추정" in campaign.description_ko
    assert "inferred from the planned end date" in campaign.description_en
    end = campaign.milestones.get(month=3)
    assert end.title_en.startswith("Planned to run until 31 March") and "예정" in end.title_ko


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/programs/donne-welfare/", "/programs/dongne-welfare/"),
        ("/en/policies/neighbourhood-welfare/", "/en/policies/dongne-welfare/"),
    ],
)
def test_the_corrected_addresses_redirect_from_the_old_ones(client, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)
    assert client.get(new).status_code == 200
