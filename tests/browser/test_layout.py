"""Every public page type fits a 390 px phone and a 1366 px desktop, in Korean and in English.

Measured in the browser, not judged from the CSS: the page itself never scrolls sideways; every
table fits its column on a desktop; on a phone it fits or sits in a scroll box that says so (a hint
on screen, a name from the table's caption, reachable by keyboard) and scrolls to the table's right
edge; the menu lines up with the site name; no date breaks across lines; axe finds nothing at either width. One tab per
language and width goes through every page type (a test per page would pay for a database flush
and a seed reload each time).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from .support import open_page, screenshot
from .test_accessibility import LANGUAGES, PAGES, describe

pytestmark = pytest.mark.browser

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
AXE = Axe()

# The menu's first item starts where the site name does (a lone rule restyling .container once
# pushed the menu to the window's edge while the name stayed indented).
NAV_OFFSET = """() => document.querySelector(".main-nav a").getBoundingClientRect().left
  - document.querySelector(".site-name").getBoundingClientRect().left"""

# Dates written for readers ("2019. 10. 21.") never break across lines.
BROKEN_DATES = """() => Array.from(document.querySelectorAll("main time"))
  .filter(t => t.getClientRects().length > 1).map(t => t.textContent)"""

# For each table: whether it fits, or else whether its scroll box is usable. A table "fits" when
# its right edge is inside the viewport and inside its box (nothing hidden past a clipping edge).
TABLES = r"""(mustFit) => {
  const viewport = document.documentElement.clientWidth;
  const problems = [];
  const name = t => (t.caption ? t.caption.textContent.trim().slice(0, 60) : "(no caption)");
  for (const table of document.querySelectorAll("main table")) {
    let box = null;
    for (let p = table.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") { box = p; break; }
    }
    const t = table.getBoundingClientRect();
    if (!box) {
      if (t.right > viewport + 0.5) problems.push(`${name(table)}: wider than the window, in no scroll box`);
      continue;
    }
    const b = box.getBoundingClientRect();
    if (b.right > viewport + 0.5) problems.push(`${name(table)}: its box overflows the window (${b.right})`);
    const hint = box.querySelector(".scroll-hint");
    const shown = hint && hint.getBoundingClientRect().height > 0 && getComputedStyle(hint).visibility !== "hidden";
    if (box.scrollWidth <= box.clientWidth + 1) {  // fits its box: no hint that it scrolls
      if (shown) problems.push(`${name(table)}: fits its box but says it scrolls sideways`);
      continue;
    }
    if (mustFit) problems.push(`${name(table)}: scrolls inside its box (${box.scrollWidth} > ${box.clientWidth})`);
    const style = getComputedStyle(box).overflowX;
    if (style !== "auto" && style !== "scroll") { problems.push(`${name(table)}: clipped by its box`); continue; }
    if (box.tabIndex !== 0) problems.push(`${name(table)}: the scroll box cannot be reached by keyboard`);
    const labelled = (box.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean)
      .map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent.trim()).join(" ");
    if (!labelled) problems.push(`${name(table)}: the scroll box has no name from the caption`);
    const caption = table.querySelector("caption .caption-text");
    if (!caption || caption.getBoundingClientRect().right > b.right + 1) problems.push(`${name(table)}: caption cut`);
    if (!shown) problems.push(`${name(table)}: no visible hint that the table scrolls sideways`);
    box.scrollLeft = box.scrollWidth;
    const end = table.getBoundingClientRect().right, edge = box.getBoundingClientRect().right;
    if (end > edge + 1) problems.push(`${name(table)}: scrolled to the end, its right edge is hidden (${end})`);
    box.scrollLeft = 0;
  }
  return problems;
}"""


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize(("language", "prefix", "q"), LANGUAGES, ids=[lang for lang, _p, _q in LANGUAGES])
def test_every_page_type_fits_the_screen_and_passes_axe(browser, seeded, language, prefix, q, width):
    context = browser.new_context(
        base_url=seeded,
        viewport=WIDTHS[width],
        is_mobile=width == "phone",
        has_touch=width == "phone",
        locale="ko-KR",
        reduced_motion="reduce",
    )
    page = context.new_page()
    failures = []
    try:
        for name, path, status in PAGES:
            url = prefix + path.format(q=q)
            response = page.goto(url, wait_until="load")
            if response is None or response.status != status:
                failures.append(f"{name} {url}: answered {response and response.status}, expected {status}")
                continue
            where = f"{name} {url} at {WIDTHS[width]['width']} px"
            scroll, client = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client:
                shot = screenshot(page, f"layout-{name}-{language}-{width}")
                failures.append(f"{where}: the page scrolls sideways ({scroll} > {client}; {shot})")
            # On a desktop every table fits its column; on a phone a wide one may scroll in its box.
            failures.extend(f"{where}: {problem}" for problem in page.evaluate(TABLES, width == "desktop"))
            broken = page.evaluate(BROKEN_DATES)
            if broken:
                failures.append(f"{where}: dates broken across lines: {broken}")
            offset = page.evaluate(NAV_OFFSET)
            if abs(offset) > 1:
                failures.append(f"{where}: the menu starts {offset:.0f} px from the site name's left edge")
            results = AXE.run(page)
            if results.violations_count:
                failures.append(f"{where}: axe: " + describe(results.response["violations"]))
    finally:
        context.close()
    if failures:
        pytest.fail(f"{len(failures)} problem(s):\n" + "\n".join(failures), pytrace=False)


@pytest.mark.parametrize(("language", "prefix"), [("ko", ""), ("en", "/en")])
def test_a_wide_table_on_a_phone_scrolls_from_the_keyboard_and_is_named_by_its_caption(phone_page, language, prefix):
    page = phone_page
    open_page(page, f"{prefix}/visits/")
    caption = page.locator("#visits-caption").inner_text()
    box = page.get_by_role("region", name=caption, exact=True)
    expect(box).to_have_attribute("tabindex", "0")
    expect(box.locator(".scroll-hint")).to_be_visible()
    box.focus()
    before = box.evaluate("b => b.scrollLeft")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    # Keyboard scrolling may be smooth (animated): wait for it rather than read it at once.
    try:
        moved = "([b, before]) => b.scrollLeft > before"
        page.wait_for_function(moved, arg=[box.element_handle(), before], timeout=3000)
    except PlaywrightTimeout:
        pytest.fail("the arrow keys do not scroll the focused table", pytrace=False)
    # The first column stays in view while the rest scrolls under it.
    first = box.locator("tbody tr").first.locator("th")
    box_left = box.bounding_box()["x"]
    assert abs(first.bounding_box()["x"] - box_left) <= 1, "the first column scrolled away"
    screenshot(page, f"layout-visit-table-scrolled-{language}", full_page=False)
