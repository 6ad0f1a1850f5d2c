"""The staff guide (담당자 안내서): an admin page in Korean, apart from the developers' README."""

import re

import pytest

from tests.staff import ROLES, staff_client

pytestmark = pytest.mark.django_db

GUIDE = "/admin/guide/"


def test_guide_needs_a_staff_login(client):
    response = client.get(GUIDE)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_guide_in_korean(role):
    client, _user = staff_client(role)
    response = client.get(GUIDE)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="ko"' in body
    for heading in ("벤치마킹 방문 기록", "예산 항목", "CSV 가져오기", "변경 이력과 되돌리기"):
        assert heading in body
    assert "5번 틀리면" in body  # the lockout as the settings set it, not as written once


def test_the_guides_links_lead_somewhere():
    client, _user = staff_client(None)
    body = client.get(GUIDE).content.decode()
    guide = body[body.index("staff-guide") :]
    links = set(re.findall(r'href="(/admin/[^"#]*)"', guide))
    assert len(links) >= 6
    for link in links:
        assert client.get(link).status_code == 200, link
