"""CSV and JSON downloads of what a page shows.

CSV is UTF-8 with a byte-order mark so Excel opens Korean text correctly, and every cell that
a spreadsheet would read as a formula is escaped (OWASP "CSV injection") by jeonju.csvio's
`escape_csv_cell`, as in the admin's exports.

`large_download_response` is for downloads whose size grows with the data (a filtered list, an
indicator over every program): up to `STREAM_AFTER_ROWS` rows it answers like `download_response`
(a plain response the page cache can keep); beyond that it streams the file in batches, so a
download of any size holds at most that many rows in memory.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse

from jeonju.csvio import escape_csv_cell, escape_formula

BOM = "\ufeff"
# Above this many rows (~1.5 MB of CSV) a download is streamed rather than built in memory, and
# is then not kept by the page cache; up to it, a plain response the cache can serve again.
STREAM_AFTER_ROWS = 10_000
# Rows written per chunk of a streamed download.
STREAM_BATCH_ROWS = 500


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _decimal_cell(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value


# `escape_csv_cell(_plain(value))` by the value's exact type, in one call: a download writes
# a cell per column and row, so this is the loop that counts.
_CELL: dict[type, Any] = {
    str: escape_formula,
    int: lambda value: value,
    bool: lambda value: "true" if value else "false",  # as JSON writes it, and the metric import reads it
    type(None): lambda value: "",
    Decimal: _decimal_cell,
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
}


def _cell(value: Any) -> Any:
    convert = _CELL.get(type(value))
    return convert(value) if convert is not None else escape_csv_cell(_plain(value))


def _csv_row(row: Sequence[Any]) -> list[Any]:
    return [_cell(value) for value in row]


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_csv_cell(c) for c in columns])
    writer.writerows(map(_csv_row, rows))
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


def _batched(rows: Iterable[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    rows = iter(rows)
    while batch := list(itertools.islice(rows, STREAM_BATCH_ROWS)):
        yield batch


class _Echo:
    """A file-like object for csv.writer that hands back what it is given."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The same bytes as `csv_text(...).encode()`, in chunks of `STREAM_BATCH_ROWS` rows."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield (BOM + writer.writerow([escape_csv_cell(c) for c in columns])).encode("utf-8")
    for batch in _batched(rows):
        yield "".join(writer.writerow(_csv_row(row)) for row in batch).encode("utf-8")


def json_chunks(columns: Sequence[str], rows: Iterable[Sequence[Any]], **meta: Any) -> Iterator[bytes]:
    """A JSON object with the meta keys, "results" and "count" (given last: it is known only at the end)."""
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    opening = encoder.encode(meta)[:-1]  # "{...", without the closing brace
    yield (opening + (", " if meta else "") + '"results": [').encode("utf-8")
    count = 0
    for batch in _batched(rows):
        parts = []
        for row in batch:
            parts.append(
                ("," if count else "") + "\n" + encoder.encode(dict(zip(columns, map(_plain, row), strict=True)))
            )
            count += 1
        yield "".join(parts).encode("utf-8")
    yield f'\n], "count": {count}}}\n'.encode()


def large_download_response(
    fmt: str, filename: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], **meta: Any
) -> HttpResponse | StreamingHttpResponse:
    """`download_response` for up to `STREAM_AFTER_ROWS` rows; a streamed file beyond that.

    Pass `rows` as a generator over `queryset.iterator(chunk_size=...)` so that the database rows
    are not all fetched at once either.
    """
    rows = iter(rows)
    head = list(itertools.islice(rows, STREAM_AFTER_ROWS + 1))
    if len(head) <= STREAM_AFTER_ROWS:
        return download_response(fmt, filename, columns, head, **meta)
    everything = itertools.chain(head, rows)
    if fmt == "json":
        response = StreamingHttpResponse(
            json_chunks(columns, everything, **meta), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'inline; filename="{filename}.json"'
        return response
    response = StreamingHttpResponse(csv_chunks(columns, everything), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
