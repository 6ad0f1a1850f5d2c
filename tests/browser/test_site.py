"""The harness itself: the live server has the seed for every test and serves the static files.

(Console errors and failed requests on every page are checked in test_accessibility.py.)"""

import pytest
from playwright.sync_api import expect

from .support import PALBOK, open_page

pytestmark = pytest.mark.browser


def test_the_live_server_serves_the_seed_to_every_test(page):
    # Run after any other transactional test, this still finds the seed: the `seeded` fixture reloads it.
    open_page(page, f"/programs/{PALBOK}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("팔복예술공장")


def test_the_stylesheet_is_served_and_applied(page):
    stylesheets: list = []
    page.on("response", lambda r: r.request.resource_type == "stylesheet" and stylesheets.append(r))
    open_page(page, "/")
    assert stylesheets, "the page requested no stylesheet"
    for response in stylesheets:
        assert response.status == 200, f"{response.url} answered {response.status}"
        assert response.headers.get("content-type", "").startswith("text/css"), response.headers
    rules = page.evaluate("() => Array.from(document.styleSheets).reduce((n, s) => n + s.cssRules.length, 0)")
    assert rules > 10, f"only {rules} CSS rules applied"
    # The skip link is the first thing a keyboard user meets; the stylesheet keeps it out of sight
    # until it has focus. Unstyled, it would sit in the page's flow at the top left.
    skip = page.get_by_role("link").first
    box = skip.bounding_box()
    assert box is None or box["y"] + box["height"] <= 0 or box["width"] <= 1, (
        f"the skip link is visible without focus: the stylesheet did not apply ({box})"
    )
