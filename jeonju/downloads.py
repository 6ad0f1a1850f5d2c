"""CSV and JSON downloads of what a page shows.

CSV is UTF-8 with a byte-order mark so Excel opens Korean text correctly, and every cell that
a spreadsheet would read as a formula is escaped (OWASP "CSV injection"). The admin export
reuses `escape_csv_cell`.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def escape_csv_cell(value: Any) -> Any:
    """Prefix an apostrophe to a text cell a spreadsheet would run as a formula.

    Numbers stay numbers (a negative amount is data, not a formula); only text is escaped.
    """
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([escape_csv_cell(_plain(v)) for v in row])
    return BOM + buffer.getvalue()


def csv_response(filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(csv_text(columns, rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def json_response(filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], **meta: Any) -> HttpResponse:
    results = [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in rows]
    payload = {**meta, "count": len(results), "results": results}
    body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}.json"'
    return response


def download_response(
    fmt: str, filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], **meta: Any
) -> HttpResponse:
    """`fmt` is "csv" or "json" (the URL patterns allow nothing else)."""
    if fmt == "json":
        return json_response(filename, columns, rows, **meta)
    return csv_response(filename, columns, rows)
