"""The header's search box, on a 390 px phone and a 1366 px desktop, in Korean and English: it is
there, labelled, big enough to use, submits to the search page, and the page does not scroll
sideways."""

from __future__ import annotations

import pytest

from .support import PALBOK, gettext_in, open_page, screenshot

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture(params=sorted(SIZES))
def sized_page(request, browser, seeded):
    context = browser.new_context(
        base_url=seeded,
        viewport=SIZES[request.param],
        device_scale_factor=1,
        is_mobile=request.param == "phone",
        has_touch=request.param == "phone",
        locale="ko-KR",
        reduced_motion="reduce",
    )
    page = context.new_page()
    page.size_name = request.param
    yield page
    context.close()


def assert_fits(page, what: str) -> None:
    scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > inner_width:
        shot = screenshot(page, f"search-overflow-{what}")
        pytest.fail(f"{what}: {scroll_width}px of content in {inner_width}px (screenshot {shot})", pytrace=False)


@pytest.mark.parametrize(("language", "prefix"), [("ko", ""), ("en", "/en")])
def test_the_header_search_is_there_usable_and_fits(sized_page, language, prefix):
    page = sized_page
    what = f"{page.size_name}-{language}"
    for path in ("/", "/visits/", f"/programs/{PALBOK}/"):
        open_page(page, prefix + path)
        form = page.get_by_role("search", name=gettext_in(language, "Search the portal"))
        box = form.get_by_label(gettext_in(language, "Search the portal"))
        button = form.get_by_role("button", name=gettext_in(language, "Search"))
        for control in (box, button):
            assert control.is_visible()
            rect = control.bounding_box()
            assert rect["x"] >= 0 and rect["x"] + rect["width"] <= page.viewport_size["width"], (path, rect)
            assert rect["height"] >= 24, (path, rect)  # a target a finger can hit
        assert_fits(page, f"{what}{path.replace('/', '-')}")

    box.fill("팔복 예술" if language == "ko" else "art factory")
    button.click()
    page.wait_for_load_state("load")
    assert page.url.split("?")[0].endswith(f"{prefix}/search/")
    programs = page.locator("#results-programs")
    assert programs.get_by_role("link", name="팔복예술공장" if language == "ko" else "Palbok Art Factory").count() == 1
    assert_fits(page, f"{what}-results")
    screenshot(page, f"search-{what}", full_page=False)


@pytest.mark.parametrize(("language", "prefix", "query"), [("ko", "", "문화 재생"), ("en", "/en", "regeneration")])
def test_axe_finds_no_violations_on_the_search_pages(page, language, prefix, query):
    from axe_playwright_python.sync_playwright import Axe

    from .support import hangul_outside_korean

    axe = Axe()
    failures = []
    for path in (f"/search/?q={query}", "/search/", "/search/?q=!!!", "/visits/?q=수원"):
        open_page(page, prefix + path)
        results = axe.run(page)
        if results.violations_count:
            failures.append(f"{path}: {[v['id'] for v in results.response['violations']]}")
        if language == "en":
            # Korean names of the English page are marked lang="ko" where they have no translation.
            leftovers = hangul_outside_korean(page)
            if leftovers:
                failures.append(f"{path}: Korean text outside lang=ko: {leftovers}")
    assert not failures, "\n".join(failures)
