"""The site's identity and its footer pages: the header's link to the city's website, the footer's
responsible department, address and phone, and the privacy policy, copyright policy and
accessibility statement, in both languages, kept by staff in the admin and shown at once."""

import io
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from portal import sitetexts
from portal.models import SiteContact, SitePage
from portal.sitetexts import body_blocks
from tests.staff import admin_url, change, form_data, staff_client

pytestmark = pytest.mark.django_db

# (path, a phrase of the default Korean text, of the English one)
SITE_PAGES = [
    ("/privacy/", "시민 회원 가입이나 로그인이 없습니다", "The portal has no citizen accounts"),
    ("/copyright/", "공공누리 제1유형(출처표시)", "Korea Open Government License (KOGL) Type 1"),
    (
        "/accessibility/",
        "한국형 웹 콘텐츠 접근성 지침(KWCAG) 2.2",
        "Korean Web Content Accessibility Guidelines (KWCAG) 2.2",
    ),
]
# One page of every type, as tests/test_html_valid.py lists them.
PAGE_TYPES = [
    "/",
    "/policies/",
    "/policies/social-economy/",
    "/programs/",
    "/programs/palbok-art-factory/",
    "/indicators/",
    "/indicators/visiting-organizations/",
    "/visits/",
    "/privacy/",
    "/no-such-page/",
]


@pytest.fixture
def caching():
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=300):
        cache.clear()
        yield
        cache.clear()


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(("path", "korean", "english"), SITE_PAGES)
def test_each_site_page_has_its_real_text_in_both_languages(client, path, korean, english):
    page = SitePage.objects.get(slug=path.strip("/"))
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="ko">' in body
    assert f"<h1>{page.title_ko}</h1>" in body
    assert korean in text_of(body)
    # the contact section comes from the contact details, so a new phone number is typed once
    assert "문의처" in body and 'href="tel:063-222-1000"' in body

    response = client.get("/en" + path)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert f"<h1>{page.title_en}</h1>" in body
    assert english in text_of(body)
    assert korean not in text_of(body)
    assert "Contact" in body and "Jeonju City Hall" in body


def test_the_pages_say_what_the_portal_collects_and_claim_no_certification(client):
    privacy = text_of(client.get("/en/privacy/").content.decode())
    for collected in ("Staff accounts", "sign-in attempts", "Server logs", "language cookie"):
        assert collected in privacy
    copyright_ko = text_of(client.get("/copyright/").content.decode())
    assert "상업적으로 이용할 수 있고" in copyright_ko and "언론사" in copyright_ko
    accessibility = text_of(client.get("/accessibility/").content.decode())
    assert "품질인증을 받지 않았습니다" in accessibility
    assert "품질인증마크를 받았" not in accessibility and "인증을 획득" not in accessibility


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("path", PAGE_TYPES)
def test_every_page_links_the_three_site_pages_and_shows_the_contact_details(client, prefix, path):
    response = client.get(prefix + path)
    assert response.status_code in (200, 404)
    body = response.content.decode()
    footer = body[body.index('<footer class="site-footer">') :]
    for slug in ("privacy", "copyright", "accessibility"):
        assert f'href="{prefix}/{slug}/"' in footer
    assert 'href="tel:063-222-1000">063-222-1000</a>' in footer
    if prefix:
        assert "Privacy policy" in footer and "Jeonju City Hall" in footer
        assert "10 Nosonggwangjang-ro, Wansan-gu, Jeonju-si, Jeonbuk State 54999" in footer
    else:
        assert "개인정보처리방침" in footer and "저작권정책" in footer and "웹 접근성" in footer
        assert "전주시청" in footer and "(54999) 전북특별자치도 전주시 완산구 노송광장로 10" in footer
    # the header names the city and links its own website, marked as another site for screen readers
    header = body[body.index('<header class="site-header">') : body.index("</header>")]
    link = re.search(r'<a class="city-site" href="([^"]+)" rel="external">(.*?)</a>', header)
    assert link and link.group(1) == "https://www.jeonju.go.kr"
    assert "target=" not in link.group(0)  # it opens as any link does
    words = ("Jeonju City", "website", "(external site)") if prefix else ("전주시", "누리집", "(외부 사이트)")
    assert all(word in text_of(link.group(2)) for word in words)
    assert '<span class="visually-hidden">' in link.group(2)


def test_an_email_address_shows_once_given_and_untranslated_contact_details_are_marked_korean(client):
    contact = SiteContact.objects.get()
    assert "mailto:" not in client.get("/").content.decode()  # none by default: none is known
    contact.email = "portal@example.go.kr"
    contact.department_en = ""
    contact.save()
    body = client.get("/en/").content.decode()
    assert 'href="mailto:portal@example.go.kr"' in body
    assert 'Responsible department: <span lang="ko">전주시청</span>' in body


def test_a_staff_edit_of_a_page_shows_at_once_though_pages_are_cached(caching, client):
    assert client.get("/en/privacy/")["X-Cache"] == "miss"
    assert client.get("/en/privacy/")["X-Cache"] == "hit"
    assert client.get("/")["X-Cache"] == "miss"

    staff, _ = staff_client(None)
    page = SitePage.objects.get(slug="privacy")
    change(staff, page, body_en="## Revised\nThe portal now says <this> plainly.")

    response = client.get("/en/privacy/")
    assert response["X-Cache"] == "miss"
    body = response.content.decode()
    assert "<h2>Revised</h2>" in body and "<p>The portal now says &lt;this&gt; plainly.</p>" in body
    assert "The portal has no citizen accounts" not in body
    assert client.get("/")["X-Cache"] == "miss"  # every page's footer links it: all pages are new


def test_a_staff_edit_of_the_contact_details_shows_in_every_footer_at_once(caching, client):
    assert "063-222-1000" in client.get("/programs/").content.decode()
    assert client.get("/programs/")["X-Cache"] == "hit"

    staff, _ = staff_client(None)
    change(staff, SiteContact.objects.get(), phone="063-281-2114", department_ko="전주시 정책기획과")

    body = client.get("/programs/").content.decode()
    assert 'href="tel:063-281-2114">063-281-2114</a>' in body and "전주시 정책기획과" in body
    assert "063-222-1000" not in body


def test_the_admin_edits_the_texts_but_neither_adds_nor_deletes_them():
    staff, _ = staff_client(None)
    contact = SiteContact.objects.get()
    page = SitePage.objects.get(slug="accessibility")
    for obj in (contact, page):
        assert staff.get(admin_url(obj)).status_code == 200
        response = staff.get(admin_url(obj, "change", obj.pk))
        assert response.status_code == 200
        assert staff.get(admin_url(obj, "add")).status_code == 403
        assert staff.get(admin_url(obj, "delete", obj.pk)).status_code == 403
    # both languages side by side, the slug fixed (the footer links it by name)
    form = staff.get(admin_url(page, "change", page.pk)).context["adminform"].form
    assert {"title_ko", "title_en", "body_ko", "body_en"} <= set(form.fields) and "slug" not in form.fields
    listing = staff.get(reverse("admin:app_list", args=["portal"]), headers={"accept-language": "ko"})
    assert "사이트 연락처" in listing.content.decode() and "사이트 페이지" in listing.content.decode()


def test_a_missing_page_can_be_added_again_and_a_wrong_phone_is_refused():
    staff, _ = staff_client(None)
    SitePage.objects.filter(slug="copyright").delete()
    assert staff.get(admin_url(SitePage, "add")).status_code == 200
    data = form_data(staff.get(admin_url(SitePage, "add")))
    data.update(slug="privacy", title_ko="중복", body_ko="본문")
    response = staff.post(admin_url(SitePage, "add"), data)
    assert response.status_code == 200 and "slug" in response.context["adminform"].form.errors
    data.update(slug="copyright")
    assert staff.post(admin_url(SitePage, "add"), data).status_code == 302
    assert SitePage.objects.get(slug="copyright").title_ko == "중복"


@pytest.mark.parametrize(
    ("role", "may_change"), [("콘텐츠 담당", True), ("방문 기록 담당", False), ("예산·통계 담당", False)]
)
def test_content_editors_may_change_the_site_texts_and_the_other_roles_may_not(role, may_change):
    client, _ = staff_client(role)
    edits = [
        (SiteContact.objects.get(), "phone", "063-000-0000"),
        (SitePage.objects.get(slug="privacy"), "title_ko", "개인정보 처리방침"),
    ]
    for obj, field, value in edits:
        url = admin_url(obj, "change", obj.pk)
        if not may_change:
            assert client.get(url).status_code == 403
            continue
        change(client, obj, **{field: value})
        assert getattr(obj, field) == value
        assert client.get(admin_url(obj, "delete", obj.pk)).status_code == 403


def test_a_missing_page_is_a_404_not_an_error(client):
    SitePage.objects.filter(slug="accessibility").delete()
    assert client.get("/accessibility/").status_code == 404
    SiteContact.objects.all().delete()
    response = client.get("/privacy/")  # no contact details: the pages still render, without them
    assert response.status_code == 200 and "tel:" not in response.content.decode()


def test_load_seed_puts_back_missing_texts_and_keeps_staff_edits():
    SitePage.objects.filter(slug="privacy").delete()
    SiteContact.objects.all().delete()
    page = SitePage.objects.get(slug="copyright")
    page.body_ko = "담당자가 고친 본문"
    page.save()
    out = io.StringIO()
    call_command("load_seed", stdout=out)
    assert "Site texts: 2 created" in out.getvalue()
    assert SitePage.objects.get(slug="privacy").body_en == sitetexts.PRIVACY_EN
    assert SiteContact.objects.get().phone == "063-222-1000"
    assert SitePage.objects.get(slug="copyright").body_ko == "담당자가 고친 본문"
    out = io.StringIO()
    call_command("load_seed", stdout=out)
    assert "Site texts" not in out.getvalue()


def test_page_text_becomes_headings_lists_paragraphs_and_links_and_never_markup(client):
    text = "Intro <b>bold</b>\n\n## Heading & more\n- one\n- two https://www.kogl.or.kr/\nAfter\n<script>x</script>"
    assert body_blocks(text) == [
        ("p", "Intro <b>bold</b>"),
        ("h2", "Heading & more"),
        ("ul", ["one", "two https://www.kogl.or.kr/"]),
        ("p", "After"),
        ("p", "<script>x</script>"),
    ]
    SitePage.objects.filter(slug="copyright").update(body_ko=text)  # no signal: the cache is off here
    prose = re.search(r'<div class="prose"[^>]*>(.*?)</div>', client.get("/copyright/").content.decode(), re.S)
    html = re.sub(r"\s*\n\s*", "", prose.group(1))
    assert html == (
        "<p>Intro &lt;b&gt;bold&lt;/b&gt;</p><h2>Heading &amp; more</h2>"
        '<ul><li>one</li><li>two <a href="https://www.kogl.or.kr/" rel="nofollow">https://www.kogl.or.kr/</a></li></ul>'
        "<p>After</p><p>&lt;script&gt;x&lt;/script&gt;</p>"
    )
