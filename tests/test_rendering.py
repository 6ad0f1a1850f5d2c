"""The rows of the public lists, as their templates render them: escaped, Korean fallbacks marked."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.factories import OrganizationFactory, PolicyFactory, ProgramFactory, VisitFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_visit_rows_escape_and_mark_korean_fallbacks():
    program = ProgramFactory(slug="t-rows", name_ko="행 <시험>", name_en="")
    organization = OrganizationFactory(name_ko="<b>기관</b>", name_en="", region="ulsan", municipality_ko="울주군")
    VisitFactory(program=program, organization=organization, year=2020, visited_on=None)
    visit = Visit.objects.select_related("program", "organization").get(program=program)
    with translation.override("en"):
        html = render_to_string("visits/includes/visit_row.html", {"visit": visit})
        url = reverse("programs:detail", args=["t-rows"])
    assert "&lt;b&gt;기관&lt;/b&gt;" in html and "<b>" not in html
    assert '<span lang="ko">행 &lt;시험&gt;</span>' in html
    assert f'href="{url}"' in html and url.startswith("/en/")
    assert "<td>2020</td>" in html


def test_program_rows_show_periods_figures_and_policies(client):
    program = ProgramFactory(slug="t-row-a", name_ko="가행시험", start_year=2018, end_year=None)
    program.policies.add(
        PolicyFactory(title_ko="나 정책", title_en=""), PolicyFactory(title_ko="다 정책", title_en="C")
    )
    html = client.get("/en/programs/?q=가행시험").content.decode()
    row = html[html.index('href="/en/programs/t-row-a/"') :]
    row = row[: row.index("</tr>")]
    # Policies by their title on the page, a Korean fallback marked as Korean.
    assert '<span class="meta">C, ' in row and '<span lang="ko">나 정책</span></span></th>' in row
    assert "<td>2018–</td>" in row
    assert '<td class="numeric">–</td>' in row  # no count from any source, no budget
    assert '<td class="numeric">0</td>' in row  # no named visit
