"""Helpers shared by the browser tests (fixtures are in conftest.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.utils import translation

SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", "/tmp/jeonju-browser"))
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000

PALBOK = "palbok-art-factory"


def gettext_in(language: str, message) -> str:
    """An interface string as the portal shows it in `language` (from the same locale files).

    `message` is a msgid or a lazy translation (a model choice's label); either is translated
    inside the override, since a lazy string turned into text outside it would take the test's
    own active language.
    """
    with translation.override(language):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def screenshot(target, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot of a page (or of one element, given a locator) outside the repository."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    if hasattr(target, "goto"):
        target.screenshot(path=str(path), full_page=full_page)
    else:
        target.screenshot(path=str(path))
    return path


def open_page(page, url: str, *, status: int = 200):
    """Go to `url` and check the server's answer, so a failing view is reported as such."""
    response = page.goto(url, wait_until="load")
    assert response is not None, f"no response for {url}"
    assert response.status == status, f"{url} answered {response.status}, expected {status}"
    return response


# Text nodes with Hangul whose nearest `lang` is not Korean: interface or content left untranslated.
_HANGUL_OUTSIDE_KOREAN = r"""() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!/[\uac00-\ud7a3]/.test(text)) continue;
    const holder = node.parentElement.closest("[lang]");
    if (holder && holder.getAttribute("lang").startsWith("ko")) continue;
    if (node.parentElement.closest("script, style, [hidden]")) continue;
    found.push(`<${node.parentElement.tagName.toLowerCase()}> ${text.slice(0, 80)}`);
  }
  return found;
}"""


def hangul_outside_korean(page) -> list[str]:
    return page.evaluate(_HANGUL_OUTSIDE_KOREAN)
