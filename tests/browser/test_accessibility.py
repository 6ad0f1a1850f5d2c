"""axe-core finds no accessibility violation on any page type, in Korean or in English.

The same pass checks that each page declares its language, that English pages mark any Korean text
they hold (content with no translation yet) with lang="ko", and that the browser reports no error
(a Content-Security-Policy refusal, a missing static file).
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from .support import PALBOK, hangul_outside_korean, screenshot

pytestmark = pytest.mark.browser

# Every page type, as (name, path without the language prefix, expected status).
PAGES = [
    ("home", "/", 200),
    ("policy-list", "/policies/", 200),
    ("policy-detail", "/policies/culture-regeneration/", 200),
    ("program-list", "/programs/", 200),
    ("program-list-filtered", "/programs/?category=facility&visits=yes&sort=visits&q={q}", 200),
    ("program-detail", f"/programs/{PALBOK}/", 200),
    ("visit-list", "/visits/", 200),
    ("visit-list-filtered", f"/visits/?program={PALBOK}", 200),
    ("visit-feeds", f"/visits/feeds/?program={PALBOK}", 200),
    ("visit-request", f"/visits/request/?program={PALBOK}", 200),
    ("indicator-list", "/indicators/", 200),
    ("indicator-detail", "/indicators/visiting-organizations/", 200),
    ("privacy", "/privacy/", 200),
    ("copyright", "/copyright/", 200),
    ("accessibility", "/accessibility/", 200),
    ("not-found", "/no-such-page/", 404),
]
LANGUAGES = [("ko", "", "팔복"), ("en", "/en", "Palbok")]

AXE = Axe()


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} [{violation['helpUrl']}]")
        for node in violation["nodes"][:8]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " | ")
            lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize(("language", "prefix", "q"), LANGUAGES, ids=[lang for lang, _p, _q in LANGUAGES])
def test_axe_finds_no_violations_on_any_page_type(page, page_errors, language, prefix, q):
    # One tab goes through every page type: a test per page would pay for a database flush and a
    # seed reload each time (the live server's tests are transactional), for no better report.
    failures = []
    for name, path, status in PAGES:
        url = prefix + path.format(q=q)
        response = page.goto(url, wait_until="load")
        if response is None or response.status != status:
            failures.append(f"{name} {url}: answered {response and response.status}, expected {status}")
            continue
        lang = page.locator("html").get_attribute("lang")
        if lang != language:
            failures.append(f"{name} {url}: <html lang={lang!r}>, expected {language!r}")
        if language == "en":
            leftovers = hangul_outside_korean(page)
            if leftovers:
                failures.append(f"{name} {url}: Korean text outside lang=ko elements: {leftovers}")
        results = AXE.run(page)
        if results.violations_count:
            shot = screenshot(page, f"axe-{name}-{language}")
            failures.append(
                f"{name} {url}: {results.violations_count} violation(s) (screenshot {shot}):\n"
                + describe(results.response["violations"])
            )
    # The 404 page's own status is the one expected console error.
    errors = [e for e in page_errors if not ("404" in e and "Failed to load resource" in e)]
    if errors:
        failures.append("the browser reported errors:\n" + "\n".join(errors))
    if failures:
        pytest.fail(f"{len(failures)} page(s) with problems:\n" + "\n".join(failures), pytrace=False)
