"""Browser tests: headless Debian Chromium driven by Playwright, against pytest-django's live server.

Run with `make test-browser` (`pytest tests/browser`). Chromium is Debian's (`apt-get install
chromium fonts-nanum`), never Playwright's own download. Without /usr/bin/chromium the tests are
skipped on a workstation but fail in CI (environment variable CI set), so CI cannot pass by
skipping them.

The live server runs in a thread of this process and shares its test database. Tests that use it
are transactional: the database is flushed after each one, which wipes the seed that
tests/conftest.py loads once per session. So every browser test loads the seed again (it is
idempotent and takes a fraction of a second) through the `seeded` fixture.

Screenshots go to $BROWSER_SCREENSHOTS (default /tmp/jeonju-browser), never into the repository.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from ..needs import unavailable
from .support import DESKTOP, PHONE, TIMEOUT_MS

# Playwright's sync API keeps an asyncio event loop in this thread; Django's ORM refuses to run
# in a thread with a running loop unless told that this is safe (it is: the loop only drives the
# browser, and the ORM calls here are plain synchronous test code).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (launching it is the slow part)."""
    if not CHROMIUM.exists():
        reason = (
            f"{CHROMIUM} is missing: install Debian's browser and Korean fonts with "
            "`apt-get install -y chromium fonts-nanum` to run the browser tests."
        )
        unavailable(f"the browser tests cannot run: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def seeded(live_server, transactional_db) -> str:
    """The live server's address, with the seed data in the database for this test."""
    call_command("load_seed", verbosity=0)
    return live_server.url


class BrowserErrors(list):
    """Console errors and failed requests seen by a page: CSP refusals, missing static files, 5xx."""

    def describe(self) -> str:
        return "\n".join(self)


def _watch(page, errors: BrowserErrors) -> None:
    page.on("console", lambda msg: msg.type == "error" and errors.append(f"console: {msg.text}"))
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url} ({req.failure})"))


def _new_page(browser, base_url: str, viewport: dict, errors: BrowserErrors):
    context = browser.new_context(
        base_url=base_url,
        viewport=viewport,
        locale="ko-KR",
        accept_downloads=True,
        reduced_motion="reduce",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    _watch(page, errors)
    return context, page


@pytest.fixture
def page_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def page(browser, seeded, page_errors) -> Iterator:
    """A fresh desktop-sized tab (own cookies) on the seeded live server."""
    context, tab = _new_page(browser, seeded, DESKTOP, page_errors)
    yield tab
    context.close()


@pytest.fixture
def phone_page(browser, seeded, page_errors) -> Iterator:
    """A fresh phone-sized tab (390×844, touch, mobile user agent) on the seeded live server."""
    context = browser.new_context(
        base_url=seeded,
        viewport=PHONE,
        device_scale_factor=1,  # layout is in CSS pixels; 1 keeps the screenshots small and fast
        is_mobile=True,
        has_touch=True,
        locale="ko-KR",
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    _watch(tab, page_errors)
    yield tab
    context.close()
