"""CSV and JSON downloads of what a page shows, in the reader's language.

A download is a list of `Column`s and rows of plain values (codes, numbers, dates, texts). A CSV
is written for people opening it in a spreadsheet: its headers are in the language of the page it
comes from (Korean at plain URLs, English under /en/), and a coded value (a region, a status, a
unit …) is written twice, its label in the reader's language and, beside it, its code ("지역",
"지역 코드"; "Region", "Region code"), so that a file stays as easy to read by a program. A JSON
download keeps stable English keys and the codes, adds each code's label under `<key>_label`, and
carries a `metadata` object: the language, the extraction time, the data licence (KOGL Type 1) and
what each key is called in the CSV. Times are written in Korea Standard Time with their offset
(2026-12-02T10:00:00+09:00); dates as ISO dates. Every response names the licence in a
`Link: <…>; rel="license"` header too.

CSV is UTF-8 with a byte-order mark so Excel opens Korean text correctly, and every cell that
a spreadsheet would read as a formula is escaped (OWASP "CSV injection") by jeonju.csvio's
`escape_csv_cell`, as in the admin's exports: values, labels and headers alike.

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _

from jeonju.csvio import escape_csv_cell, escape_formula

BOM = "\ufeff"
# Above this many rows (~1.5 MB of CSV) a download is streamed rather than built in memory, and
# is then not kept by the page cache; up to it, a plain response the cache can serve again.
STREAM_AFTER_ROWS = 10_000
# Rows written per chunk of a streamed download.
STREAM_BATCH_ROWS = 500

# Korea Standard Time, the time of every timestamp a download writes (whatever TIME_ZONE says).
KST = ZoneInfo("Asia/Seoul")

# The licence of the data: Korea Open Government License Type 1 (공공누리 제1유형, attribution).
LICENCE_CODE = "KOGL-Type1"
LICENCE_NAME = _("KOGL Type 1: attribution")
LICENCE_URL = "https://www.kogl.or.kr/info/licenseType1.do"
# What a many-valued cell (a policy's core values) puts between its values.
SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    """One column of a download: `key` is its JSON key (stable, English), `header` its CSV header
    (translated, lazily). A coded column has `labels`, a callable giving {code: label} in the
    active language, called once per download; with `many`, a value is a sequence of codes."""

    key: str
    header: Any
    labels: Callable[[], Mapping[Any, str]] | None = None
    many: bool = False

    @property
    def coded(self) -> bool:
        return self.labels is not None


def choice_labels(choices: type[models.Choices]) -> Callable[[], dict[Any, str]]:
    """The labels of a Django choices class in the active language (what `get_FOO_display` says)."""
    return lambda: {value: str(label) for value, label in choices.choices}


def kst(value: datetime.datetime) -> str:
    """A time in Korea Standard Time with its offset, to the second: 2026-12-02T10:00:00+09:00."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(KST).isoformat(timespec="seconds")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, datetime.datetime):
        return kst(value)
    if isinstance(value, datetime.date):
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
    datetime.datetime: kst,
}


def _cell(value: Any) -> Any:
    convert = _CELL.get(type(value))
    return convert(value) if convert is not None else escape_csv_cell(_plain(value))


def _columns(columns: Sequence[Column | str]) -> list[Column]:
    """Plain names are columns whose header is their key (as in the admin's exports)."""
    return [c if isinstance(c, Column) else Column(c, c) for c in columns]


def code_header(header: str) -> str:
    """The header of the code beside a label: "지역 코드", "Region code"."""
    return pgettext("download column", "%(column)s code") % {"column": header}


def csv_header(columns: Sequence[Column | str]) -> list[str]:
    """The CSV header row in the active language (unescaped): a coded column's label, then its code."""
    headers = []
    for column in _columns(columns):
        header = str(column.header)
        headers.append(header)
        if column.coded:
            headers.append(code_header(header))
    return headers


def csv_keys(columns: Sequence[Column | str]) -> list[str]:
    """The JSON key of each CSV column: `<key>_label` for a label, `<key>` for its code."""
    keys = []
    for column in _columns(columns):
        keys.extend([f"{column.key}_label", column.key] if column.coded else [column.key])
    return keys


class Table:
    """The columns of one download, their labels looked up once, in the language active now (a
    streamed download's rows are written after the view has returned)."""

    def __init__(self, columns: Sequence[Column | str]):
        self.columns = _columns(columns)
        self.labels = [column.labels() if column.labels else None for column in self.columns]
        self.header = [escape_formula(header) for header in csv_header(self.columns)]
        self.keys = [column.key for column in self.columns]
        # Each JSON key with its CSV header, in the CSV's order.
        self.fields = [
            {"key": key, "csv_header": header}
            for key, header in zip(csv_keys(self.columns), csv_header(self.columns), strict=True)
        ]
        self._plain_only = not any(column.coded for column in self.columns)

    @staticmethod
    def _label(labels: Mapping[Any, str], value: Any, many: bool) -> str:
        if many:
            return SEPARATOR.join(labels.get(v, str(v)) for v in value)
        if value is None or value == "":
            return ""
        return labels.get(value, str(value))

    @staticmethod
    def _code(value: Any, many: bool) -> Any:
        return SEPARATOR.join(map(str, value)) if many else value

    def csv_row(self, row: Sequence[Any]) -> list[Any]:
        if self._plain_only:
            return [_cell(value) for value in row]
        cells = []
        for column, labels, value in zip(self.columns, self.labels, row, strict=True):
            if labels is None:
                cells.append(_cell(value))
            else:
                cells.append(escape_formula(self._label(labels, value, column.many)))
                cells.append(_cell(self._code(value, column.many)))
        return cells

    def record(self, row: Sequence[Any]) -> dict[str, Any]:
        if self._plain_only:
            return dict(zip(self.keys, map(_plain, row), strict=True))
        record = {}
        for column, labels, value in zip(self.columns, self.labels, row, strict=True):
            if labels is None:
                record[column.key] = _plain(value)
            else:
                record[column.key] = _plain(self._code(value, column.many))
                record[f"{column.key}_label"] = self._label(labels, value, column.many)
        return record

    def metadata(self) -> dict[str, Any]:
        """What a JSON download says of itself: language, extraction time (KST), licence, fields."""
        return {
            "language": get_language(),
            "extracted_at": kst(timezone.now()),
            "time_zone": "Asia/Seoul",
            "license": {"code": LICENCE_CODE, "name": str(LICENCE_NAME), "url": LICENCE_URL},
            "fields": self.fields,
        }


def csv_text(columns: Sequence[Column | str], rows: Iterable[Sequence[Any]]) -> str:
    table = Table(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows(map(table.csv_row, rows))
    return BOM + buffer.getvalue()


def _with_licence(response: HttpResponse | StreamingHttpResponse, filename: str, disposition: str):
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return response


def csv_response(filename: str, columns: Sequence[Column | str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(csv_text(columns, rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
    return _with_licence(response, f"{filename}.csv", "attachment")


def json_response(
    filename: str, columns: Sequence[Column | str], rows: Iterable[Sequence[Any]], **meta: Any
) -> HttpResponse:
    table = Table(columns)
    results = [table.record(row) for row in rows]
    payload = {**meta, "metadata": table.metadata(), "count": len(results), "results": results}
    body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    return _with_licence(response, f"{filename}.json", "inline")


def download_response(
    fmt: str, filename: str, columns: Sequence[Column | str], rows: Iterable[Sequence[Any]], **meta: Any
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


def csv_chunks(columns: Sequence[Column | str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The same bytes as `csv_text(...).encode()`, in chunks of `STREAM_BATCH_ROWS` rows."""
    return _csv_chunks(Table(columns), rows)


def _csv_chunks(table: Table, rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield (BOM + writer.writerow(table.header)).encode("utf-8")
    for batch in _batched(rows):
        yield "".join(writer.writerow(table.csv_row(row)) for row in batch).encode("utf-8")


def json_chunks(columns: Sequence[Column | str], rows: Iterable[Sequence[Any]], **meta: Any) -> Iterator[bytes]:
    """A JSON object with the meta keys, "metadata", "results" and "count" (given last: it is
    known only at the end)."""
    table = Table(columns)
    return _json_chunks(table, rows, {**meta, "metadata": table.metadata()})


def _json_chunks(table: Table, rows: Iterable[Sequence[Any]], meta: dict[str, Any]) -> Iterator[bytes]:
    encoder = DjangoJSONEncoder(ensure_ascii=False)
    opening = encoder.encode(meta)[:-1]  # "{...", without the closing brace
    yield (opening + (", " if meta else "") + '"results": [').encode("utf-8")
    count = 0
    for batch in _batched(rows):
        parts = []
        for row in batch:
            parts.append(("," if count else "") + "\n" + encoder.encode(table.record(row)))
            count += 1
        yield "".join(parts).encode("utf-8")
    yield f'\n], "count": {count}}}\n'.encode()


def large_download_response(
    fmt: str, filename: str, columns: Sequence[Column | str], rows: Iterable[Sequence[Any]], **meta: Any
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
    # The headers, labels and metadata are made here, in the request's language; the rows later.
    if fmt == "json":
        response = StreamingHttpResponse(
            json_chunks(columns, everything, **meta), content_type="application/json; charset=utf-8"
        )
        return _with_licence(response, f"{filename}.json", "inline")
    response = StreamingHttpResponse(csv_chunks(columns, everything), content_type="text/csv; charset=utf-8")
    return _with_licence(response, f"{filename}.csv", "attachment")
