"""Reading a CSV download back by its JSON keys, after checking its header row is the one of the
page's language: tests about the values need not spell every header in Korean."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils import translation

from portal.downloads import BOM, Column, csv_header, csv_keys


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8")
    assert text.startswith(BOM)
    return text


def records(text: str, columns: Sequence[Column], language: str) -> list[dict[str, str]]:
    """The rows of a CSV text as {JSON key: cell}: a label under `<key>_label`, its code under `<key>`."""
    reader = csv.reader(io.StringIO(text.removeprefix(BOM)))
    with translation.override(language):
        assert next(reader) == csv_header(columns)
    keys = csv_keys(columns)
    return [dict(zip(keys, row, strict=True)) for row in reader]


def download_columns(response) -> Sequence[Column]:
    return response.resolver_match.func.view_class.download_fields


def csv_records(response) -> list[dict[str, str]]:
    """The rows of a download the test client fetched, its header checked in the page's language."""
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return records(body_of(response), download_columns(response), response["Content-Language"])
