"""Every admin page a clerk of each role opens reads in Korean: the libraries' screens too
(django-simple-history's history and revert pages, django-axes' login records), with no English
left from Django or the libraries; a member of staff who chooses English gets English."""

import datetime
import html
import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProgramFactory
from tests.staff import HOSTS, ROLES, admin_url, staff_client
from visits import desk
from visits.models import FollowUp, VisitHosting, VisitRequest

pytestmark = pytest.mark.django_db

# Words the libraries show when a string has no Korean translation. Matched as whole words in
# what the page shows (its text and its buttons' labels), not in its markup or the data's
# English fields, which only appear inside input values.
ENGLISH = (
    "Choose a date",
    "Changed",
    "Revert",
    "REVERT",
    "None",
    "Access attempts",
    "Access attempt",
    "Access logs",
    "Access failures",
    "Add ",
    "Change ",
    "History",
    "Filter",
    "Save and",
    "Save",
    "Delete",
    "Search",
    "View",
    "Home",
    "Object",
    "Date/time",
    "Comment",
    "Reason",
    "Author",
    "Created",
    "Deleted",
    "Import",
    "Export",
    "Log out",
    "Welcome",
    "Calendar",
    "Today",
    "Yes",
    "No",
    "Unknown",
    "Axes",
    "Status",
    "Expiration",
    "Not set",
    "Attempt Remaining",
    "Locked Out",
    "entries",
)
_TAGS = re.compile(r"<(script|style|textarea|select)\b.*?</\1>|<[^>]+>", re.S | re.I)
_LABELS = re.compile(r'<input[^>]*type="submit"[^>]*value="([^"]*)"|(?:title|aria-label|placeholder)="([^"]*)"', re.I)


def shown_text(page: str) -> str:
    labels = " ".join(a or b for a, b in _LABELS.findall(page))
    return html.unescape(_TAGS.sub(" ", page) + " " + labels)


def english_left(page: str) -> list[str]:
    text = shown_text(page)
    return [word for word in ENGLISH if re.search(rf"(?<![\w/-]){re.escape(word)}(?![\w-])", text)]


def _object_pages(model, obj) -> list[str]:
    opts = model._meta
    info = f"admin:{opts.app_label}_{opts.model_name}"
    pages = [reverse(f"{info}_change", args=[obj.pk]), reverse(f"{info}_history", args=[obj.pk])]
    if hasattr(model, "history"):
        records = model.history.filter(**{opts.pk.attname: obj.pk})
        if not records.exists():  # the seed is loaded without history: give the row one version
            obj.save()
        record = records.order_by("history_id").first()
        pages.append(reverse(f"{info}_simple_history", args=[obj.pk, record.history_id]))
    return pages


def admin_pages(client) -> list[str]:
    """The admin pages the client's user can open: the index, each app's index, and for each
    model its list, its add page, and one row's change, history and earlier-version pages."""
    index = client.get(reverse("admin:index"))
    pages = [reverse("admin:index"), reverse("staff-guide")]
    for app in index.context["app_list"]:
        pages.append(app["app_url"])
        for entry in app["models"]:
            model = entry["model"]
            pages.append(entry["admin_url"])
            if entry.get("add_url"):
                pages.append(entry["add_url"])
            model_admin = admin.site._registry[model]
            request = index.wsgi_request
            listed = model_admin.get_queryset(request).order_by("pk").first()
            if listed is not None:
                pages += _object_pages(model, listed)
                if model_admin.has_delete_permission(request, listed):
                    pages.append(admin_url(listed, "delete", listed.pk))
            for view in ("import", "export"):  # django-import-export's pages
                allowed = getattr(model_admin, f"has_{view}_permission", None)
                if allowed is not None and allowed(request):
                    pages.append(admin_url(model, view))
            if model._meta.label == "visits.VisitRequest":
                pages.append(reverse("admin:visits_visitrequest_calendar"))
    return pages


def korean_client(role):
    client, user = staff_client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko"
    return client, user


@pytest.fixture
def login_records():
    """A failed login and a login, so that django-axes' lists and pages have a row to show."""
    from axes.models import AccessAttempt, AccessLog

    seen = {"user_agent": "Firefox", "ip_address": "192.0.2.1", "http_accept": "*/*", "path_info": "/admin/login/"}
    AccessAttempt.objects.create(**seen, username="kim", get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**seen, username="kim")


@pytest.fixture
def desk_work():
    """A visit request on the desk's queue, with a follow-up answered, for the desk's pages."""
    program = ProgramFactory(slug="t-korean-desk", name_ko="시험 방문 사업", name_en="Test desk program")
    VisitHosting.objects.create(program=program, takes_visits=True, host_department_ko="시험 문화정책과")
    when = timezone.localtime() + datetime.timedelta(days=40)
    request_obj = VisitRequest(
        contact_name="김담당시험",
        contact_email="kim.desk@example.org",
        preferred_1=when.replace(hour=10, minute=0, second=0, microsecond=0),
        group_size=15,
        purpose="문화재생 사례 견학",
        visit_language="ko",
        requester_language="ko",
        consented_at=timezone.now(),
        new_organization_name="시험 새 기관",
        new_organization_kind="local_government",
        new_organization_region="gyeonggi",
    )
    request_obj = desk.take_request(request_obj, [program])
    FollowUp.objects.create(request=request_obj, answered_at=timezone.now(), took_home="주민 협의 방식")
    return program.hosting


@pytest.mark.parametrize("role", [*ROLES, HOSTS, None])
def test_every_admin_page_of_each_role_reads_in_korean(role, login_records, desk_work):
    client, user = korean_client(role)
    if role == HOSTS:
        desk_work.hosts.add(user)
    found, pages = {}, []
    for url in admin_pages(client):
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(url)
        left = english_left(response.content.decode())
        if left:
            found[url] = left
    assert len(pages) > 15  # the walk reached the models' own pages, not just the index
    assert not found, "\n".join(f"{url}: {words}" for url, words in found.items())


def test_the_organization_model_reads_as_a_name_and_the_unit_keeps_its_form():
    from django.utils import translation

    from programs.models import Unit
    from visits.models import Organization

    with translation.override("ko"):
        assert str(Organization._meta.verbose_name_plural) == "기관"
        assert Unit.after_number(Unit.ORGANIZATIONS) == "개 기관"
    with translation.override("en"):
        assert Unit.after_number(Unit.ORGANIZATIONS) == "organizations"
    client, _ = korean_client(ROLES[0])
    page = shown_text(client.get(reverse("admin:index")).content.decode())
    assert "기관" in page and "개 기관" not in page


def test_the_admin_is_korean_whatever_the_browser_asks_and_english_for_who_chooses_it():
    from visits.models import Organization

    organization = Organization.objects.order_by("pk").first()
    organization.save()  # a version in its history
    history = reverse("admin:visits_organization_history", args=[organization.pk])
    client, _ = staff_client(ROLES[0])  # a browser asking for English
    page = client.get(history).content.decode()
    assert 'lang="ko"' in page and "되돌릴 수 있습니다" in page
    assert 'action="/i18n/setlang/"' in page and reverse("staff-guide") in page

    response = client.post(reverse("set_language"), {"language": "en", "next": history})
    assert response.status_code == 302 and response["Location"] == history
    page = client.get(history).content.decode()
    assert 'lang="en"' in page
    assert {"Choose a date", "Changed", "History"} <= set(english_left(page))

    client.post(reverse("set_language"), {"language": "ko", "next": history})
    assert not english_left(client.get(history).content.decode())


def test_the_public_site_keeps_its_addresses_languages_whatever_the_admin_chose():
    client, _ = staff_client(ROLES[0])
    client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    assert 'lang="ko"' in client.get("/").content.decode()
    assert 'lang="en"' in client.get("/en/").content.decode()


def test_the_login_page_reads_in_korean(client):
    page = client.get(reverse("admin:login"), headers={"accept-language": "en"}).content.decode()
    assert 'lang="ko"' in page and "로그인" in page
    assert not english_left(page)
