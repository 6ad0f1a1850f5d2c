"""A citizen's way through the portal: find Palbok Art Factory, read its figures, take them away."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from portal import columns
from programs.models import Category, FundingSource
from tests.csv_records import records
from visits.models import Region

from .support import PALBOK, gettext_in, hangul_outside_korean, open_page, screenshot

pytestmark = pytest.mark.browser

VISITS_INDICATOR = {"ko": "벤치마킹 방문 기관 수", "en": "Visiting organizations (benchmarking)"}
PALBOK_NAME = {"ko": "팔복예술공장", "en": "Palbok Art Factory"}
# The 2019 count is partial: its as-of in words (portal.attainment.as_of_words).
PALBOK_2019_AS_OF = {"ko": "2019. 10. 21. 기준", "en": "as of 21 Oct 2019"}
# The regions the named visitors of 2019 came from (fixtures/seed.json).
PALBOK_REGIONS = [Region.GYEONGGI, Region.BUSAN, Region.DAEJEON, Region.GANGWON, Region.SEJONG, Region.GYEONGNAM]
# 5.0 billion won in all, 2.5 billion of it national funds, as the page writes amounts.
PALBOK_TOTAL = {"ko": "50억 원", "en": "KRW 5 bn"}
PALBOK_NATIONAL = {"ko": "25억 원", "en": "KRW 2.5 bn"}
PALBOK_TOTAL_IN_WORDS = {"ko": "50억", "en": "5.0 billion"}


def label(language: str, choice) -> str:
    return gettext_in(language, choice.label)


def rows_of(table) -> int:
    return table.locator("tbody tr").count()


def test_citizen_filters_programs_opens_palbok_sees_its_visit_chart_and_switches_to_english(page):
    ko = {m: gettext_in("ko", m) for m in ("Filter", "Category", "Search", "Apply filters", "Language")}
    # The form's interface is Korean on the Korean page, not the English msgids.
    for msgid in ("Category", "Search", "Apply filters"):
        assert ko[msgid] != msgid, f"{msgid!r} has no Korean translation in the locale files"

    open_page(page, "/programs/")
    results = page.get_by_role("table")
    unfiltered = rows_of(results.first)
    assert unfiltered > 1, "the unfiltered program list shows at most one program"

    form = page.get_by_role("search", name=ko["Filter"])
    form.get_by_label(ko["Category"], exact=True).select_option(label=label("ko", Category.FACILITY))
    form.get_by_label(ko["Search"], exact=True).fill("팔복")
    with page.expect_navigation():
        form.get_by_role("button", name=ko["Apply filters"]).click()

    assert re.search(r"[?&]category=facility(&|$)", page.url), page.url
    assert "q=%ED%8C%94%EB%B3%B5" in page.url, page.url  # 팔복, percent-encoded
    # The form shows the filters it applied.
    expect(form.get_by_label(ko["Search"], exact=True)).to_have_value("팔복")
    filtered = rows_of(page.get_by_role("table").first)
    assert 1 <= filtered < unfiltered, f"{filtered} of {unfiltered} programs after filtering"
    screenshot(page, "programs-filtered-ko")

    page.get_by_role("link", name=PALBOK_NAME["ko"], exact=True).click()
    page.wait_for_url(f"**/programs/{PALBOK}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(PALBOK_NAME["ko"])

    check_visit_chart(page, "ko")
    screenshot(page, "palbok-ko")

    language_nav = page.get_by_role("navigation", name=ko["Language"])
    language_nav.get_by_role("link", name="English").click()
    page.wait_for_url(f"**/en/programs/{PALBOK}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(PALBOK_NAME["en"])
    check_visit_chart(page, "en")
    screenshot(page, "palbok-en")
    leftovers = hangul_outside_korean(page)
    assert not leftovers, "Korean text on the English page outside lang=ko elements:\n" + "\n".join(leftovers)


def check_visit_chart(page, language: str) -> None:
    """The chart of visiting organizations: a named SVG image, and its data table with the figures."""
    chart = page.get_by_role("img", name=re.compile(re.escape(VISITS_INDICATOR[language])))
    expect(chart).to_have_count(1)
    expect(chart).to_be_visible()
    assert chart.evaluate("e => e.tagName.toLowerCase()") == "svg"
    figure = page.get_by_role("figure").filter(has=chart)
    table = figure.get_by_role("table")
    expect(table).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="2018")).to_contain_text("84")
    row_2019 = table.get_by_role("row").filter(has_text="2019")
    expect(row_2019).to_contain_text("92")
    expect(row_2019).to_contain_text(PALBOK_2019_AS_OF[language])


def test_citizen_reads_palbok_visits_regions_cost_and_funding_from_the_pages(page):
    for language, prefix in (("ko", ""), ("en", "/en")):
        open_page(page, f"{prefix}/programs/{PALBOK}/")
        visits_heading = gettext_in(language, "Benchmarking visits")
        visits = page.get_by_role("region", name=visits_heading, exact=True)
        # How many organizations visited, per year, with the partial year's date.
        by_year = visits.get_by_role("table").first
        expect(by_year.get_by_role("row").filter(has_text="2018")).to_contain_text("84")
        row_2019 = by_year.get_by_role("row").filter(has_text="2019")
        expect(row_2019).to_contain_text("92")
        expect(row_2019).to_contain_text(PALBOK_2019_AS_OF[language])
        # Which regions they came from.
        for region in PALBOK_REGIONS:
            expect(visits).to_contain_text(label(language, region))
        # What it cost and who paid.
        budget = page.get_by_role("region", name=gettext_in(language, "Budget"), exact=True)
        national = budget.get_by_role("row").filter(has_text=label(language, FundingSource.NATIONAL))
        expect(national.first).to_contain_text(PALBOK_NATIONAL[language])
        expect(page.get_by_role("main")).to_contain_text(PALBOK_TOTAL_IN_WORDS[language])
        screenshot(page, f"palbok-answers-{language}")

        # The program list gives the total cost in the same words.
        open_page(page, f"{prefix}/programs/?q=" + ("팔복" if language == "ko" else "Palbok"))
        row = page.get_by_role("row").filter(has=page.get_by_role("link", name=PALBOK_NAME[language], exact=True))
        expect(row).to_contain_text(PALBOK_TOTAL[language])


def read_csv(body: bytes, fields=None) -> list[dict[str, str]]:
    """The rows of a CSV: by their JSON keys, given the download's columns (its Korean header
    checked), else by their headers."""
    assert body.startswith(b"\xef\xbb\xbf"), f"the CSV has no UTF-8 byte-order mark: {body[:20]!r}"
    if fields is not None:
        return records(body.decode("utf-8"), fields, "ko")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def download(page, link) -> bytes:
    """Click a download link as a citizen would and return the file's bytes."""
    with page.expect_download() as info:
        link.click()
    return info.value.path().read_bytes()


def csv_link(page):
    downloads = page.get_by_role("complementary", name=gettext_in("ko", "Download this data"))
    return downloads.get_by_role("link", name=gettext_in("ko", "CSV (Excel)"))


def test_citizen_downloads_palbok_figures_as_csv_from_the_pages(page):
    open_page(page, f"/programs/{PALBOK}/")

    # The visits: from the program page to its visit list, and that list's CSV.
    page.get_by_role("link", name=gettext_in("ko", "These visits in the visit list, with downloads")).click()
    page.wait_for_url(re.compile(rf"/visits/\?program={PALBOK}$"))
    rows = read_csv(download(page, csv_link(page)), columns.VISITS)
    assert rows, "the visit CSV is empty"
    assert {row["program_slug"] for row in rows} == {PALBOK}, "the CSV holds visits the page did not show"
    regions = {row["region"] for row in rows}
    assert {str(region.value) for region in PALBOK_REGIONS} <= regions, regions
    assert "수원시" in {row["organization_ko"] for row in rows}

    # The yearly counts: from the program page to the indicator page, and its CSV.
    open_page(page, f"/programs/{PALBOK}/")
    page.get_by_role("link", name=VISITS_INDICATOR["ko"], exact=True).click()
    page.wait_for_url("**/indicators/visiting-organizations/")
    rows = [
        r for r in read_csv(download(page, csv_link(page)), columns.INDICATOR_VALUES) if r["program_slug"] == PALBOK
    ]
    values = {r["year"]: (float(r["value"]), r["as_of"]) for r in rows if r["kind"] == "actual"}
    assert values == {"2018": (84.0, ""), "2019": (92.0, "2019-10-21")}, values

    # The cost: the filtered program list's CSV.
    open_page(page, "/programs/?q=팔복")
    rows = {r["slug"]: r for r in read_csv(download(page, csv_link(page)), columns.PROGRAMS)}
    assert PALBOK in rows, sorted(rows)
    # Money spent, as the source gives it, in its own column: no plan is on record.
    assert int(float(rows[PALBOK]["executed_budget_krw"])) == 5_000_000_000
    assert rows[PALBOK]["planned_budget_krw"] == ""


CSV_LINKS = """root => Array.from(root.querySelectorAll("a[href]"))
  .map(a => a.href).filter(href => new URL(href).pathname.endsWith(".csv"))"""
SITE_PAGE_LINKS = """root => Array.from(root.querySelectorAll("a[href]")).map(a => a.href.split("#")[0])
  .filter(href => new URL(href).origin === location.origin)
  .filter(href => !/\\.(csv|json|atom|rss)$/.test(new URL(href).pathname))"""


def test_citizen_can_download_who_paid_for_palbok(page):
    # "What it cost and who paid" must be downloadable like the visit figures: a CSV offered on the
    # program page, or on a page its content links to, with the national funds of 2.5 billion won.
    open_page(page, f"/programs/{PALBOK}/")
    main = page.get_by_role("main")
    csv_urls = set(main.evaluate(CSV_LINKS))
    linked = page.context.new_page()
    for url in sorted(set(main.evaluate(SITE_PAGE_LINKS)) - {page.url}):
        linked.goto(url)
        csv_urls |= set(linked.get_by_role("main").evaluate(CSV_LINKS))
    linked.close()
    found = []
    for url in sorted(csv_urls):
        for row in read_csv(page.request.get(url).body()):
            cells = set(row.values())
            if PALBOK in cells and "national" in cells and {"2500000000", "2500000000.00"} & cells:
                found.append(url)
    assert found, (
        "no CSV offered on the Palbok page or on the pages it links to gives its budget by funding source "
        f"(national funds, 2,500,000,000 won); CSVs looked at: {sorted(csv_urls)}"
    )
