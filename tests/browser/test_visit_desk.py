"""The visit desk end to end, in Korean and in English, without JavaScript help: a visiting
official asks for a visit from the program page, the clerk accepts it in the admin, the status
page shows the date, the clerk marks it done, the visit is on the public pages and in the feed,
the follow-up answer comes back and, once approved, is on the program page. axe on every new page."""

from __future__ import annotations

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import formats, timezone, translation

from visits.models import FollowUp, RequestState, VisitRequest

from .conftest import _new_page
from .support import DESKTOP, PALBOK, gettext_in, screenshot

pytestmark = pytest.mark.browser

AXE = Axe()


def assert_accessible(page, name: str) -> None:
    results = AXE.run(page)
    if results.violations_count:
        shot = screenshot(page, f"axe-desk-{name}")
        pytest.fail(f"{name}: {results.violations_count} axe violation(s) (see {shot}): {results.generate_report()}")


def next_weekday(after_days: int = 30) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=after_days)
    return day + datetime.timedelta(days=(1 - day.weekday()) % 7)  # a Tuesday


@pytest.mark.parametrize(("language", "prefix"), [("ko", ""), ("en", "/en")])
def test_the_whole_path_of_a_visit_request(browser, seeded, page, page_errors, settings, language, prefix):
    t = lambda message: gettext_in(language, message)  # noqa: E731 - a short name reads better here
    organization = f"시험 방문 기관 {language}"
    day = next_weekday()

    # The official: the program page, its panel, the request form.
    page.goto(f"{prefix}/programs/{PALBOK}/")
    panel = page.locator("#before-you-visit")
    assert t("Not yet known") in panel.inner_text()
    panel.get_by_role("link", name=t("Request a visit")).click()
    page.wait_for_url(re.compile(r"/visits/request/\?program="))
    assert_accessible(page, f"request-form-{language}")
    assert page.get_by_role("checkbox", name=re.compile("팔복|Palbok")).is_checked()
    page.get_by_label(t("Organization"), exact=False).first.fill(organization)
    page.get_by_label(t("Kind of organization")).select_option("local_government")
    page.get_by_label(t("Region"), exact=False).first.select_option("gyeonggi")
    page.get_by_label(t("Contact person"), exact=False).first.fill("브라우저시험 담당")
    page.locator("#id_contact_email").fill("browser.desk@example.org")
    page.locator("#id_contact_phone").fill("031-555-0123")
    page.locator("#id_preferred_1").fill(f"{day.isoformat()}T10:00")
    page.locator("#id_group_size").fill("12")
    page.locator("#id_purpose").fill("문화재생 사례 견학")
    page.locator("#id_consent").check()
    page.get_by_role("button", name=t("Send the request")).click()
    page.wait_for_url(re.compile(r"/visits/request/[^/]+/\?sent=1"))
    request_obj = VisitRequest.objects.get(new_organization_name=organization)
    assert request_obj.reference in page.inner_text("main")
    assert_accessible(page, f"status-{language}")
    status_url = page.url.split("?")[0]
    (acknowledgement,) = [m for m in mail.outbox if request_obj.reference in m.subject]
    assert status_url.replace(seeded, "") in acknowledgement.body

    # The clerk, in the admin (a tab of its own): accept with a date, host and meeting point.
    get_user_model().objects.create_superuser("desk-clerk", "clerk@example.org", "desk-password-1")
    context, clerk = _new_page(browser, seeded, DESKTOP, page_errors)
    clerk.goto("/admin/login/")
    clerk.locator("#id_username").fill("desk-clerk")
    clerk.locator("#id_password").fill("desk-password-1")
    clerk.locator("input[type=submit]").click()
    clerk.goto(f"/admin/visits/visitrequest/{request_obj.pk}/change/")
    clerk.locator("#id_state").select_option("accepted")
    clerk.locator("#id_confirmed_start_0").fill(day.isoformat())
    clerk.locator("#id_confirmed_start_1").fill("14:00:00")
    clerk.locator("#id_host").fill("홍 주무관")
    clerk.locator("#id_meeting_point").fill("팔복예술공장 정문")
    clerk.locator("input[name=_save]").click()
    clerk.wait_for_url(re.compile(r"/admin/visits/visitrequest/$"))
    request_obj.refresh_from_db()
    assert request_obj.state == RequestState.ACCEPTED

    page.goto(status_url)
    main = page.inner_text("main")
    with translation.override(language):  # as the page writes a date and time in its language
        confirmed = formats.date_format(datetime.datetime.combine(day, datetime.time(14)), "DATETIME_FORMAT")
    assert t("Accepted") in main and confirmed in main and "팔복예술공장 정문" in main

    # The visit takes place (its date moves into the past); the clerk marks it done.
    VisitRequest.objects.filter(pk=request_obj.pk).update(confirmed_start=timezone.now() - datetime.timedelta(days=1))
    clerk.goto(f"/admin/visits/visitrequest/{request_obj.pk}/change/")
    clerk.locator("#id_state").select_option("done")
    clerk.locator("#id_people_came").fill("11")
    clerk.locator("input[name=_save]").click()
    clerk.wait_for_url(re.compile(r"/admin/visits/visitrequest/$"))

    page.goto(f"{prefix}/visits/?program={PALBOK}")
    assert organization in page.inner_text("main")
    page.goto(f"{prefix}/visits/feed.atom")
    assert organization in page.content()

    # The follow-up: asked, answered by the official, approved by the clerk, shown.
    settings.VISIT_FOLLOWUP_DAYS = 0
    call_command("send_visit_followups", "--site-url", seeded, verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    follow_up = FollowUp.objects.get(request=request_obj)
    page.goto(follow_up.get_absolute_url() if language == "ko" else f"/en{follow_up.get_absolute_url()}")
    assert_accessible(page, f"follow-up-{language}")
    page.locator("#id_took_home").fill("주민 참여형 재생 방식을 배워 감")
    page.locator("#id_may_publish").check()
    page.get_by_role("button", name=t("Send")).click()
    page.wait_for_load_state()
    follow_up.refresh_from_db()
    assert follow_up.answered_at is not None

    clerk.goto("/admin/visits/followup/")
    clerk.locator(f"input[name=_selected_action][value='{follow_up.pk}']").check()
    clerk.locator("select[name=action]").select_option("approve")
    clerk.locator("button[name=index]").click()
    clerk.wait_for_load_state()
    context.close()

    page.goto(f"{prefix}/programs/{PALBOK}/")
    took_home = page.locator("#took-home")
    assert "주민 참여형 재생 방식을 배워 감" in took_home.inner_text()
    assert organization in took_home.inner_text()
    assert_accessible(page, f"program-took-home-{language}")


@pytest.mark.parametrize(("language", "prefix"), [("ko", ""), ("en", "/en")])
def test_the_too_many_requests_page_is_friendly_and_accessible(page, settings, language, prefix):
    settings.VISIT_REQUESTS_PER_HOUR = 0  # this address has used its share
    page.goto(f"{prefix}/visits/request/?program={PALBOK}")
    with page.expect_response(lambda response: response.request.method == "POST") as answer:
        page.get_by_role("button", name=gettext_in(language, "Send the request")).click()
    assert answer.value.status == 429
    assert gettext_in(language, "Too many requests from your address") in page.inner_text("h1")
    assert_accessible(page, f"too-many-{language}")
