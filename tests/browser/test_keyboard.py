"""Keyboard only: skip link, the program filter's controls in order with visible focus, Enter submits."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .support import PALBOK, gettext_in, open_page, screenshot

pytestmark = pytest.mark.browser

# What the browser has focused, and whether the focus can be seen: an outline or a box-shadow ring.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const ring = s.boxShadow && s.boxShadow !== "none";
  const r = e.getBoundingClientRect();
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name") || "", type: e.type || "",
    text: (e.innerText || e.value || "").trim().slice(0, 40),
    indicator: outline || ring, outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
    shadow: s.boxShadow, onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
      && r.top < window.innerHeight && r.left < window.innerWidth,
  };
}"""

# The filter form's controls in document order, as Tab should reach them.
FILTER_CONTROLS = """form => Array.from(form.elements)
  .filter(e => !e.disabled && e.type !== "hidden" && e.tabIndex >= 0 && e.getClientRects().length)
  .map(e => ({id: e.id, name: e.getAttribute("name") || "", tag: e.tagName.toLowerCase()}))"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def assert_visible_focus(page, what: str) -> dict:
    state = focused(page)
    assert state is not None, f"{what}: nothing has focus"
    assert state["indicator"], f"{what}: no visible focus indicator on {state}"
    assert state["onScreen"], f"{what}: the focused element is off screen: {state}"
    return state


def test_keyboard_user_skips_to_the_filter_goes_through_its_controls_and_submits_with_enter(page):
    open_page(page, "/programs/")
    form = page.get_by_role("search", name=gettext_in("ko", "Filter"))
    controls = form.evaluate(FILTER_CONTROLS)
    assert len(controls) >= 3, f"the filter form has too few controls: {controls}"

    # The first Tab from the top of the page reaches the skip link, shown when it has focus.
    page.keyboard.press("Tab")
    skip = assert_visible_focus(page, "first Tab")
    assert skip["tag"] == "a" and skip["text"] == gettext_in("ko", "Skip to main content"), skip
    screenshot(page, "keyboard-skip-link", full_page=False)

    # Enter follows it: focus moves to the main content, past the header and navigation.
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Tab on: the filter controls come next, one after another in their order, each with visible focus.
    seen = []
    for _ in range(10):  # anything in main before the form (a lead paragraph has no stops) is allowed
        page.keyboard.press("Tab")
        state = focused(page)
        if state and state["id"] == controls[0]["id"]:
            break
        seen.append(state)
    else:
        pytest.fail(f"ten Tabs after the skip link never reached the filter's first control; met {seen}")
    chosen = ""
    for index, control in enumerate(controls):
        if index:
            page.keyboard.press("Tab")
        state = assert_visible_focus(page, f"filter control {index + 1} ({control['id'] or control['name']})")
        assert (state["id"], state["name"]) == (control["id"], control["name"]), (
            f"Tab #{index + 1} in the form reached {state}, expected {control}"
        )
        # Fill in a search and a category on the way, with the keyboard alone.
        if control["name"] == "q":
            page.keyboard.type("팔복")
            screenshot(page, "keyboard-focus-search", full_page=False)
        elif control["name"] == "category":
            page.keyboard.press("ArrowDown")  # from "all categories" to the first category
            chosen = page.evaluate("() => document.activeElement.value")
            screenshot(page, "keyboard-focus-category", full_page=False)
    assert controls[-1]["tag"] == "button", f"the form's last control is not its submit button: {controls}"
    assert chosen, "ArrowDown on the category select did not choose a category"

    # Enter on the submit button sends the form.
    with page.expect_navigation():
        page.keyboard.press("Enter")

    query = parse_qs(urlsplit(page.url).query)
    assert query.get("q") == ["팔복"] and query.get("category") == [chosen], page.url
    expect(page.get_by_role("link", name="팔복예술공장", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"\d"))
    # The link to the program is reachable with Tab and opens with Enter.
    link = page.get_by_role("link", name="팔복예술공장", exact=True)
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Palbok Art Factory link in the results")
    assert_visible_focus(page, "result link")
    screenshot(page, "keyboard-focus-result", full_page=False)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/programs/{PALBOK}/")


FOCUS_SWEEP_PAGES = ["/", f"/programs/{PALBOK}/", "/visits/", "/en/indicators/visiting-organizations/"]


def test_every_focus_stop_shows_where_the_focus_is(page):
    # Tab through whole pages: every link, control and scrollable table shows a focus ring.
    # A native control may hold several stops (a date input's day, month, year and its calendar
    # button, whose ring Chromium draws inside the control); it passes when one of them shows the ring.
    problems = []
    for path in FOCUS_SWEEP_PAGES:
        open_page(page, path)
        shown: dict[tuple, bool] = {}
        states: dict[tuple, dict] = {}
        order: list[tuple] = []
        for _ in range(250):
            page.keyboard.press("Tab")
            state = focused(page)
            if state is None:  # past the last stop, focus returns to the document
                break
            key = (state["tag"], state["id"], state["name"], state["text"])
            if order and key == order[0] and order[-1] != key:
                break  # wrapped around to the first stop
            if key not in shown:
                order.append(key)
            shown[key] = shown.get(key, False) or state["indicator"]
            states.setdefault(key, state)
        if len(order) <= 5:
            problems.append(f"{path}: only {len(order)} focus stops")
        missing = [states[key] for key in order if not shown[key]]
        if missing:
            problems.append(f"{path}: {len(missing)} of {len(order)} focus stops show no focus ring: {missing}")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
