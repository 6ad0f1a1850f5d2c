"""The server-drawn charts as a reader sees them: named, and every label whole inside the picture."""

from __future__ import annotations

import pytest

from .support import PALBOK, open_page, screenshot

pytestmark = pytest.mark.browser

CHART_PAGES = ["/", f"/programs/{PALBOK}/", "/visits/", "/indicators/visiting-organizations/"]

# Text of each chart SVG that the browser draws (partly) outside the SVG's own box, where it is cut off.
CLIPPED_TEXT = """svg => {
  const box = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll("text")).filter(t => {
    const r = t.getBoundingClientRect();
    const outside = r.left < box.left - 1 || r.right > box.right + 1
      || r.top < box.top - 1 || r.bottom > box.bottom + 1;
    return r.width && outside;
  }).map(t => {
    const r = t.getBoundingClientRect();
    return `"${t.textContent}" drawn at x ${Math.round(r.left - box.left)}..${Math.round(r.right - box.left)}, `
      + `y ${Math.round(r.top - box.top)}..${Math.round(r.bottom - box.top)} in a ${Math.round(box.width)}×`
      + `${Math.round(box.height)} chart`;
  });
}"""


@pytest.mark.parametrize("prefix", ["", "/en"], ids=["ko", "en"])
def test_every_chart_is_named_and_its_labels_are_not_cut_off(page, prefix):
    problems = []
    for path in CHART_PAGES:
        open_page(page, prefix + path)
        charts = page.locator("figure svg")
        assert charts.count(), f"{prefix + path} has no chart"
        for index, chart in enumerate(charts.all()):
            where = f"{prefix + path} chart {index + 1}"
            name = chart.evaluate(
                "s => (s.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)"
                ".map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim()"
                " || s.getAttribute('aria-label') || ''"
            )
            if chart.get_attribute("role") != "img" or not name:
                problems.append(f"{where}: no role=img with an accessible name")
            clipped = chart.evaluate(CLIPPED_TEXT)
            if clipped:
                shot = screenshot(chart, f"chart-clipped{path}-{prefix[1:] or 'ko'}-{index + 1}")
                problems.append(f"{where} ({name[:60]}): labels cut off at the edge: {clipped} (screenshot {shot})")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
