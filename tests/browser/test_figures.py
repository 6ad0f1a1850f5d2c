"""What every figure says of itself, as a reader sees it in the browser: coverage notes of sums over
programs, as-of texts of partial years, "약" / "about" for approximate values, and target attainment,
on the home, program, indicator and policy pages in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .support import open_page, screenshot

pytestmark = pytest.mark.browser

PREFIX = {"ko": "", "en": "/en"}

# (page, texts that must be visible on it), per language; from the seed (fixtures/seed.json).
VISIBLE = {
    "ko": [
        ("/", ["2019년 기록된 벤치마킹 방문", "사업별 집계의 합", "2019. 10. 21. 기준"]),
        ("/programs/self-sufficiency-work/", ["약 576"]),
        ("/programs/social-economy-public-purchasing/", ["목표 81억 원 대비 43억 원 (53 %), 2019년 상반기 기준"]),
        ("/indicators/public-purchasing/", ["목표 81억 원 대비 43억 원 (53 %)", "진행 중 (연중 집계)"]),
        ("/indicators/visiting-organizations/", ["2019. 10. 21. 기준"]),
        ("/policies/social-economy/", ["목표 81억 원 대비 43억 원 (53 %)", "진행 중 (연중 집계)"]),
    ],
    "en": [
        ("/", ["Benchmarking visits on record in 2019", "sum of the programs' counts", "21 Oct 2019"]),
        ("/programs/self-sufficiency-work/", ["about 576"]),
        (
            "/programs/social-economy-public-purchasing/",
            ["KRW 4.3 bn against a target of KRW 8.1 bn (53 %), first half of 2019"],
        ),
        ("/indicators/public-purchasing/", ["KRW 4.3 bn against a target of KRW 8.1 bn (53 %)", "in progress"]),
        ("/indicators/visiting-organizations/", ["as of 21 Oct 2019"]),
        ("/policies/social-economy/", ["KRW 4.3 bn against a target of KRW 8.1 bn (53 %)", "in progress"]),
    ],
}


@pytest.mark.parametrize("language", ["ko", "en"])
def test_coverage_as_of_approximate_and_attainment_texts_are_visible(page, language):
    for path, texts in VISIBLE[language]:
        open_page(page, PREFIX[language] + path)
        for text in texts:
            # The first visible match: a chart's text alternative holds the same words, hidden.
            expect(page.get_by_text(text, exact=False).locator("visible=true").first).to_be_visible()
    screenshot(page, f"figures-{language}")


def test_a_partial_target_year_is_never_shown_as_missed(page):
    for language, missed in (("ko", "미달성"), ("en", "not met")):
        open_page(page, PREFIX[language] + "/policies/social-economy/")
        targets = page.locator("section[aria-labelledby=targets-heading]")
        expect(targets).to_be_visible()
        expect(targets).not_to_contain_text(missed)
