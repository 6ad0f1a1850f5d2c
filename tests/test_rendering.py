"""The fast paths of the public lists render exactly what the templates and reverse() would."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from jeonju.urlpatterns import reverse_slug
from portal.selectors import programs_with_figures, with_policy_titles
from tests.factories import OrganizationFactory, PolicyFactory, ProgramFactory, VisitFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["ko", "en"])
def test_reverse_slug_is_reverse(language):
    with translation.override(language):
        for name, slug in [("programs:detail", "palbok-art-factory"), ("indicators:detail", "visiting-organizations")]:
            assert reverse_slug(name, slug) == reverse(name, args=[slug])
        assert reverse_slug("policies:detail", "a-b_c-9") == reverse("policies:detail", args=["a-b_c-9"])


def test_visit_rows_escape_and_mark_korean_fallbacks():
    program = ProgramFactory(slug="t-rows", name_ko="행 <시험>", name_en="")
    organization = OrganizationFactory(name_ko="<b>기관</b>", name_en="", region="ulsan", municipality_ko="울주군")
    VisitFactory(program=program, organization=organization, year=2020, visited_on=None)
    visits = Visit.objects.select_related("program", "organization").filter(program=program)
    template = Template("{% load portal %}{{ visits|visit_rows }}")
    with translation.override("en"):
        html = template.render(Context({"visits": visits}))
        url = reverse("programs:detail", args=["t-rows"])
    assert "&lt;b&gt;기관&lt;/b&gt;" in html and "<b>" not in html
    assert '<span lang="ko">행 &lt;시험&gt;</span>' in html
    assert f'href="{url}"' in html and url.startswith("/en/")
    assert "<td>2020</td>" in html


def test_program_rows_show_periods_figures_and_policies():
    program = ProgramFactory(slug="t-row-a", name_ko="가", start_year=2018, end_year=None)
    program.policies.add(
        PolicyFactory(title_ko="나 정책", title_en=""), PolicyFactory(title_ko="다 정책", title_en="C")
    )
    with translation.override("en"):
        programs = with_policy_titles(list(programs_with_figures().filter(slug="t-row-a")))
        html = Template("{% load portal %}{{ programs|program_rows }}").render(Context({"programs": programs}))
    # Policies by their title on the page, a Korean fallback marked as Korean.
    assert '<span class="meta">C, ' in html and '<span lang="ko">나 정책</span></span></th>' in html
    assert "<td>2018–</td>" in html
    assert '<td class="numeric">–</td>' in html  # no count from any source, no budget
    assert '<td class="numeric">0</td>' in html  # no named visit
