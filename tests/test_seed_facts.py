"""The facts of ../shared/domain.md "More facts in the seeds", each found on the page a citizen would
look for it on, in Korean and in English, with the source it comes from."""

import html

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from policies.models import Source
from programs.models import Milestone, Program, YearlyMetric

pytestmark = pytest.mark.django_db

# The sources of the seed (policies.Source pks): A–E of domain.md.
A, B, C, D, E = 1, 2, 3, 4, 5

# (page, text on the Korean page, text on the English page). A page is a URL name and its argument.
FACTS = [
    # Source B
    (
        ("programs:detail", "economics-of-happiness-conference"),
        "행복의경제학 국제회의",
        "Economics of Happiness international conference",
    ),
    (("programs:detail", "economics-of-happiness-conference"), "매년 여는 대규모 국제회의", "holds every year"),
    (("programs:detail", "economics-of-happiness-conference"), "제5회", "5th edition"),
    (("programs:detail", "economics-of-happiness-conference"), "사회적경제주간", "social-economy week planned"),
    (("policies:detail", "social-economy"), "행복의경제학 국제회의", "Economics of Happiness international conference"),
    (("programs:detail", "world-slow-forum"), "세계슬로포럼 & 슬로어워드", "World Slow Forum & Slow Award"),
    (("policies:detail", "social-economy"), "세계슬로포럼 & 슬로어워드", "World Slow Forum & Slow Award"),
    (
        ("policies:detail", "community"),
        "'전국 사회연대 지방정부협의회'의 사무총장",
        "secretary-general of the National Council of Local Governments for Social Solidarity",
    ),
    (("policies:detail", "community"), "38개 지방자치단체장", "38 local-government heads"),
    (
        ("programs:detail", "palbok-art-factory"),
        "1970~80년대 카세트테이프를 만들었으나",
        "made cassette tapes in the 1970s–80s",
    ),
    (
        ("programs:detail", "seonosong-art-village"),
        "작업공방과 갤러리를 함께 운영하며 사는 전국 최초의 사례",
        "first case in Korea of artists settling as residents",
    ),
    # Source C
    (("programs:detail", "dongne-welfare"), "전면적인 시도는 전주시가 처음", "first full-scale attempt in Korea"),
    (("policies:detail", "dongne-welfare"), "전면적인 시도는 전주시가 처음", "first full-scale attempt in Korea"),
    # Source D
    (
        ("programs:detail", "digital-live-commerce-center"),
        "실시간 소통 판매(디지털 라이브 커머스)",
        "live-streamed selling (digital live commerce)",
    ),
    (("programs:detail", "knowledge-industry-centers"), "4대 지식산업센터", "Four knowledge-industry centers"),
    (
        ("programs:detail", "knowledge-industry-centers"),
        "첨단벤처단지 혁신창업허브, 신사업융복합 지식산업센터, 기술창업성장 지원센터, 산학융합플라자",
        "the innovative start-up hub of the high-tech venture complex",
    ),
    (("programs:detail", "knowledge-industry-centers"), "중소기업연수원", "SME training institute"),
    (("programs:detail", "drone-soccer-globalization"), "드론축구 세계화", "Drone soccer globalization"),
    (("policies:detail", "new-growth-industries"), "드론축구 세계화", "Drone soccer globalization"),
    (
        ("programs:detail", "inhu-banchon-regeneration"),
        "인후·반촌구역 구도심 도시재생",
        "Inhu and Banchon old-town regeneration",
    ),
    (("programs:detail", "byeolgwa-hamkke-dagaseo"), "'별과 함께 다가서'", "'Byeolgwa hamkke dagaseo'"),
    (
        ("policies:detail", "urban-regeneration"),
        "인후·반촌구역 구도심 도시재생",
        "Inhu and Banchon old-town regeneration",
    ),
    (("programs:detail", "disaster-basic-income"), "전주형 재난기본소득", "Jeonju disaster basic income"),
    (("programs:detail", "no-layoff-city"), "해고없는 도시", "No-layoff city"),
    (("programs:detail", "good-landlord-movement"), "착한 임대인 운동", "Good-landlord movement"),
    (("policies:detail", "shared-prosperity"), "전주형 재난기본소득", "Jeonju disaster basic income"),
    # Source E
    (
        ("programs:detail", "good-prepayment-campaign"),
        "300여 회원사로 구성된 (사)전주시중소기업인연합회",
        "of about 300 member firms",
    ),
    (
        ("programs:detail", "good-prepayment-campaign"),
        "6개 협의체(회원사 168개)",
        "six councils within it, with 168 member firms",
    ),
    (
        ("programs:detail", "good-prepayment-campaign"),
        "(사)전주시중소기업인연합회 회원사 수",
        "Member firms of the Jeonju SME association",
    ),
    (
        ("indicators:detail", "sme-council-member-firms"),
        "연합회 내 6개 협의체 회원사 수",
        "Member firms of the association's six councils",
    ),
    (
        ("programs:detail", "small-merchant-support"),
        "특별보증과 이차보전",
        "Special loan guarantees and interest subsidies",
    ),
    (
        ("programs:detail", "small-merchant-support"),
        "카드수수료와 사회보험료",
        "card fees and social-insurance contributions",
    ),
    (
        ("programs:detail", "carbon-win-win-jobs"),
        "탄소산업 전주형 상생일자리 모델",
        "win-win jobs model for the carbon industry",
    ),
    (
        ("policies:detail", "carbon-industry"),
        "탄소산업 전주형 상생일자리 모델",
        "win-win jobs model for the carbon industry",
    ),
    (("programs:detail", "drone-innovation-support-center"), "첨단드론공용장비", "Shared high-tech drone equipment"),
    (("programs:detail", "finance-academy"), "금융아카데미", "finance academy"),
    (("programs:detail", "palbok-youth-art-playground"), "팔복청년예술놀이터", "Palbok youth art playground"),
    (
        ("programs:detail", "small-manufacturer-cluster-facility"),
        "소공인 집적지구 공동기반시설",
        "Shared facility for the small-manufacturer cluster",
    ),
    (
        ("programs:detail", "future-lab"),
        "미래세대 창의·창업 인재육성 프로그램",
        "training the next generation in creativity and start-ups",
    ),
    (("policies:detail", "innovation-ecosystem"), "오렌지플래닛 전주센터", "Orange Planet Jeonju Center"),
    (("policies:detail", "innovation-ecosystem"), "청년상상놀이터", "Youth Imagination Playground"),
    (("policies:detail", "innovation-ecosystem"), "퓨처랩", "Future Lab"),
    (
        ("programs:detail", "farmers-college-eco-farming"),
        "농업인대학 친환경농업 과정",
        "Farmers' college eco-farming course",
    ),
    (("programs:detail", "farmers-college-eco-farming"), "제17기 교육생 30명", "17th cohort: 30 trainees"),
    (("programs:detail", "farmers-college-eco-farming"), "23회·100시간", "23 sessions and 100 hours"),
    (("programs:detail", "farmers-college-eco-farming"), "11월 25일까지", "until 25 November"),
    (("programs:detail", "gift-card-donations"), "4월부터 기부 시작", "Donations to start in April"),
]

# The programs added for those facts: the source each comes from and the policies it carries out.
NEW_PROGRAMS = {
    "economics-of-happiness-conference": (B, {"social-economy"}),
    "world-slow-forum": (B, {"social-economy"}),
    "digital-live-commerce-center": (D, {"shared-prosperity"}),
    "knowledge-industry-centers": (D, {"shared-prosperity"}),
    "drone-soccer-globalization": (D, {"new-growth-industries"}),
    "inhu-banchon-regeneration": (D, {"urban-regeneration"}),
    "byeolgwa-hamkke-dagaseo": (D, {"urban-regeneration"}),
    "disaster-basic-income": (D, {"shared-prosperity"}),
    "no-layoff-city": (D, {"shared-prosperity"}),
    "good-landlord-movement": (D, {"shared-prosperity"}),
    "small-merchant-support": (E, {"shared-prosperity"}),
    "carbon-win-win-jobs": (E, {"shared-prosperity", "carbon-industry"}),
    "drone-innovation-support-center": (E, {"new-growth-industries"}),
    "finance-academy": (E, {"new-growth-industries"}),
    "palbok-youth-art-playground": (E, {"innovation-ecosystem"}),
    "small-manufacturer-cluster-facility": (E, {"innovation-ecosystem"}),
    "future-lab": (E, {"innovation-ecosystem"}),
    "orange-planet-jeonju": (E, {"innovation-ecosystem"}),
    "youth-imagination-playground": (E, {"innovation-ecosystem"}),
    "farmers-college-eco-farming": (E, {"ecological-city"}),
}


def page_text(client, page, language):
    name, arg = page
    with translation.override(language):
        url = reverse(name, args=[arg])
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize(("page", "text_ko", "text_en"), FACTS, ids=[f"{p[1]}:{en}" for p, _, en in FACTS])
def test_each_new_fact_is_on_its_page(client, page, text_ko, text_en, language):
    assert (text_ko if language == "ko" else text_en) in page_text(client, page, language)


@pytest.mark.parametrize("slug", sorted(NEW_PROGRAMS))
def test_each_new_program_cites_its_source_and_carries_out_its_policies(client, slug):
    source_pk, policies = NEW_PROGRAMS[slug]
    program = Program.objects.get(slug=slug)
    assert set(program.sources.values_list("pk", flat=True)) == {source_pk}
    assert set(program.policies.values_list("slug", flat=True)) == policies
    source = Source.objects.get(pk=source_pk)
    assert source.title_ko in page_text(client, ("programs:detail", slug), "ko")
    assert source.title_en in page_text(client, ("programs:detail", slug), "en")


def test_the_member_firm_counts_are_metrics_of_the_campaign_from_source_e_the_300_marked_about():
    metrics = YearlyMetric.objects.filter(program__slug="good-prepayment-campaign", source_id=E)
    by_indicator = {m.indicator.code: m for m in metrics}
    association = by_indicator["sme-association-member-firms"]
    councils = by_indicator["sme-council-member-firms"]
    assert (association.year, association.value, association.kind) == (2021, 300, "actual")
    assert "300여" in association.note_ko and "about 300" in association.note_en
    assert (councils.year, councils.value, councils.kind) == (2021, 168, "actual")
    assert "about" not in councils.note_en  # 168 is exact in the source


def test_the_farmers_college_trainees_are_a_target_of_30():
    metric = YearlyMetric.objects.get(
        program__slug="farmers-college-eco-farming", indicator__code="farmers-college-trainees"
    )
    assert (metric.year, metric.value, metric.kind, metric.source_id) == (2021, 30, "target", E)


def test_the_new_milestones_cite_their_sources():
    conference = Milestone.objects.get(program__slug="economics-of-happiness-conference")
    assert (conference.year, conference.source_id) == (2019, B)
    april = Milestone.objects.get(program__slug="gift-card-donations", month=4)
    assert (april.year, april.source_id) == (2021, E)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/policies/",
        "/policies/social-economy/",
        "/programs/",
        "/programs/palbok-art-factory/",
        "/indicators/",
        "/indicators/visiting-organizations/",
        "/visits/",
    ],
)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_every_page_type_names_the_sources_of_its_figures(client, path, prefix):
    response = client.get(prefix + path)
    assert response.status_code == 200
    sources = response.context["sources"]
    assert sources, f"{prefix}{path} names no source"
    page = response.content.decode()
    assert 'id="sources-heading"' in page
    for source in sources:
        assert escape(source.title) in page
