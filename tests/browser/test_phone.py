"""On a phone (390×844) the program pages fit the screen and stay usable."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .support import PALBOK, gettext_in, open_page, screenshot

pytestmark = pytest.mark.browser

# Elements wider than the viewport that are not inside a horizontally scrollable box of their own
# (a wide table in an overflow-x: auto wrapper is fine; the page itself must not scroll sideways).
OVERFLOWING = """() => {
  const width = window.innerWidth;
  const scrollsItself = e => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      const clips = o === "auto" || o === "scroll" || o === "hidden";
      if (clips && p.getBoundingClientRect().right <= width + 0.5) return true;
    }
    return false;
  };
  return Array.from(document.body.querySelectorAll("*"))
    .filter(e => { const r = e.getBoundingClientRect(); return r.width && (r.right > width + 0.5 || r.left < -0.5); })
    .filter(e => !scrollsItself(e) && !e.closest(".visually-hidden, .skip-link"))
    .slice(0, 10)
    .map(e => {
      const classes = typeof e.className === "string" && e.className ? "." + e.className.split(" ").join(".") : "";
      const right = Math.round(e.getBoundingClientRect().right);
      return `<${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${classes}> right=${right}`;
    });
}"""


def assert_no_horizontal_scroll(page, what: str) -> None:
    scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > inner_width:
        shot = screenshot(page, f"phone-overflow-{what}")
        pytest.fail(
            f"{what}: the page scrolls sideways on a phone ({scroll_width}px of content in {inner_width}px; "
            f"screenshot {shot}); too wide: {page.evaluate(OVERFLOWING)}",
            pytrace=False,
        )


@pytest.mark.parametrize(("language", "prefix"), [("ko", ""), ("en", "/en")])
def test_program_list_and_detail_fit_a_phone_screen(phone_page, language, prefix):
    page = phone_page
    open_page(page, f"{prefix}/programs/")
    assert_no_horizontal_scroll(page, f"program-list-{language}")
    screenshot(page, f"phone-program-list-{language}", full_page=False)

    # The filter is usable: its controls are on screen width, big enough to tap, and it submits.
    form = page.get_by_role("search", name=gettext_in(language, "Filter"))
    search = form.get_by_label(gettext_in(language, "Search"), exact=True)
    button = form.get_by_role("button", name=gettext_in(language, "Apply filters"))
    for control in (search, button):
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, f"{control} is off screen: {box}"
        assert box["height"] >= 24, f"{control} is too small to tap: {box}"
    search.fill("팔복" if language == "ko" else "Palbok")
    with page.expect_navigation():
        button.tap()
    assert_no_horizontal_scroll(page, f"program-list-filtered-{language}")
    page.get_by_role("table").first.scroll_into_view_if_needed()
    screenshot(page, f"phone-program-results-{language}", full_page=False)

    name = "팔복예술공장" if language == "ko" else "Palbok Art Factory"
    link = page.get_by_role("link", name=name, exact=True)
    link.scroll_into_view_if_needed()
    expect(link).to_be_in_viewport()
    link.tap()
    page.wait_for_url(f"**{prefix}/programs/{PALBOK}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    assert_no_horizontal_scroll(page, f"program-detail-{language}")
    # The visit chart scales to the screen instead of overflowing it.
    chart = page.locator("figure svg").first
    box = chart.bounding_box()
    assert box and box["width"] <= 390, f"the chart is wider than the phone: {box}"
    chart.scroll_into_view_if_needed()
    screenshot(page, f"phone-program-detail-chart-{language}", full_page=False)
    page.get_by_role("region", name=gettext_in(language, "Budget"), exact=True).scroll_into_view_if_needed()
    screenshot(page, f"phone-program-detail-budget-{language}", full_page=False)
