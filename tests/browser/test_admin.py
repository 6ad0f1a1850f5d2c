"""The admin in a browser at 1366 px, a common office screen: no add or change page a clerk opens is
wider than the screen; a budget amount's reading in 억/만 follows the clerk's typing."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.staff import HOSTS, ROLES, admin_url, staff_client
from tests.test_admin_korean import admin_pages

from .support import TIMEOUT_MS, screenshot

pytestmark = pytest.mark.browser

OFFICE = {"width": 1366, "height": 900}


def _admin_tab(browser, base_url: str, client, language: str | None = None):
    """A 1366 px tab logged in as the Django test client's user (its session cookie), in the
    admin's language chosen in its switch (the language cookie), if any."""
    context = browser.new_context(base_url=base_url, viewport=OFFICE, locale="ko-KR")
    context.set_default_timeout(TIMEOUT_MS)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    cookies = [{"name": cookie.key, "value": cookie.value, "url": base_url}]
    if language:
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url})
    context.add_cookies(cookies)
    return context, context.new_page()


@pytest.mark.parametrize(("role", "language"), [*((role, None) for role in (*ROLES, HOSTS, None)), (None, "en")])
def test_no_edit_page_of_a_clerk_is_wider_than_a_1366_px_screen(browser, seeded, role, language):
    client, user = staff_client(role)
    if role == HOSTS:
        from visits.models import VisitHosting

        for hosting in VisitHosting.objects.all():
            hosting.hosts.add(user)
    pages = [url for url in admin_pages(client) if url.endswith(("/change/", "/add/"))]
    assert pages
    context, tab = _admin_tab(browser, seeded, client, language)
    wide = {}
    for url in pages:
        response = tab.goto(url, wait_until="load")
        assert response.status == 200, url
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > OFFICE["width"]:
            wide[url] = width
            screenshot(tab, f"admin-wide-{url}")
    context.close()
    assert not wide, wide


def test_a_budget_amounts_reading_follows_the_clerks_typing(browser, seeded):
    from programs.models import BudgetLine

    line = BudgetLine.objects.filter(planned_amount__isnull=False).order_by("pk").first()
    client, _ = staff_client(ROLES[1])
    context, tab = _admin_tab(browser, seeded, client)
    errors = []
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    tab.goto(admin_url(line, "change", line.pk))
    amount = tab.locator("#id_planned_amount")
    reading = tab.locator("#id_planned_amount + output.amount-reading")
    assert reading.inner_text().endswith("원")  # written by the server when the page opens
    amount.fill("900800000000")
    assert reading.inner_text() == "9,008억 원"
    amount.fill("223000000")
    assert reading.inner_text() == "2억 2,300만 원"
    amount.fill("")
    assert reading.inner_text() == ""
    context.close()
    assert not errors, errors  # the script runs under the site's CSP
