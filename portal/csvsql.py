"""CSV downloads written by PostgreSQL: the same bytes as `jeonju.downloads`, a line per row.

A filtered list's download can run to thousands of rows. Through the ORM each row is fetched as
Python values, converted, escaped and quoted cell by cell (about 30 µs a row); here the database
formats each row as one CSV line in the query that selects it, and Python only joins the lines.
The cells follow `jeonju.downloads` exactly (the tests compare the two byte for byte):

- text: a cell a spreadsheet would run as a formula gets an apostrophe (`escape_csv_cell`, by
  `starts_like_formula`, whose characters the SQL is given in full);
- every cell is quoted only if it holds a comma, a double quote, CR or LF (`csv.QUOTE_MINIMAL`),
  doubling the quotes inside;
- an empty value and NULL are both an empty cell; integers and dates as Python writes them,
  times in ISO 8601 in UTC (`datetime.isoformat()` of what Django reads);
- a `label` column turns a small set of ids (the sources of a list) into their names.

Only for PostgreSQL: the generic path serves every other database and every other download.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence

from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse

from portal import downloads

KINDS = {"text", "int", "date", "datetime", "label"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FETCH_ROWS = 2000
QUOTE = "chr(34)"  # the double quote, as SQL


def _quoted(expression: str) -> str:
    """QUOTE_MINIMAL of a text expression that is never NULL (plain scans: no regex)."""
    special = " + ".join(f"strpos({expression}, {char})" for char in (QUOTE, "','", "chr(13)", "chr(10)"))
    doubled = f"replace({expression}, {QUOTE}, {QUOTE} || {QUOTE})"
    return f"CASE WHEN {special} > 0 THEN {QUOTE} || {doubled} || {QUOTE} ELSE {expression} END"


# Unicode has format and space characters in planes 0, 1 and 14 only; scanning just these takes
# a fifth of the time of all 1.1 million code points (a test checks that nothing lies outside).
FORMULA_START_PLANES = (range(0x20000), range(0xE0000, 0xF0000))


@functools.cache
def formula_starts() -> str:
    """Every character `downloads.starts_like_formula` escapes at the start of a cell, enumerated
    from that function itself (once per process) so that the SQL escapes exactly the same cells."""
    codes = itertools.chain.from_iterable(FORMULA_START_PLANES)
    return "".join(c for c in map(chr, codes) if downloads.starts_like_formula(c))


def _formula_starts_literal() -> str:
    # U& escapes keep the SQL printable ASCII whatever the characters are.
    return "U&'" + "".join(f"\\+{ord(c):06X}" for c in formula_starts()) + "'"


def _text(expression: str) -> str:
    value = f"COALESCE({expression}, '')"
    # m.formula__starts: the characters of downloads.starts_like_formula (see csv_lines_query).
    formula = f"{value} <> '' AND strpos(m.formula__starts, left({value}, 1)) > 0"
    return _quoted(f"CASE WHEN {formula} THEN chr(39) || {value} ELSE {value} END")


def _cell(column: str, kind: str) -> str:
    if kind in ("text", "label"):
        return _text(column)
    if kind == "int":
        return f"COALESCE({column}::text, '')"
    if kind == "date":
        return f"COALESCE(to_char({column}, 'YYYY-MM-DD'), '')"
    # datetime
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"""COALESCE(to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS')"""
        f" || CASE WHEN to_char({utc}, 'US') = '000000' THEN '' ELSE to_char({utc}, '.US') END"
        " || '+00:00', '')"
    )


def csv_lines_query(
    queryset, fields: Sequence[tuple[str, str]], labels: Mapping[str, Mapping[int, str]] | None = None
) -> tuple[str, list]:
    """SQL (and its parameters) selecting one CSV line per row of `queryset`, in its order.

    `fields` are (lookup, kind) pairs as for `values_list`; kind is one of KINDS, and each
    `label` field has its {id: name} in `labels`. The ordered, filtered query becomes a subquery
    whose columns are read by their aliases; the queries around it only project its rows, and
    PostgreSQL then keeps the subquery's ORDER BY.
    """
    labels = labels or {}
    for name, kind in fields:
        if kind not in KINDS or not _NAME.match(name):
            raise ValueError(f"Not a CSV column: {name} ({kind})")
    inner, inner_params = queryset.values_list(*(name for name, _kind in fields)).query.sql_with_params()
    # Labels first, each id looked up once (its parameters appear once in the SQL).
    label_params: list = []
    named = ["r.*"]
    for name, kind in fields:
        if kind == "label":
            mapping = labels.get(name, {})
            whens = " ".join("WHEN %s THEN %s" for _ in mapping) or "WHEN NULL THEN NULL"
            label_params += [value for pair in mapping.items() for value in pair]
            named.append(f'(CASE r."{name}" {whens} END)::text AS "{name}__label"')
    columns = [f'm."{name}__label"' if kind == "label" else f'm."{name}"' for name, kind in fields]
    line = " || ',' || ".join(_cell(column, kind) for column, (_name, kind) in zip(columns, fields, strict=True))
    named.append(f"{_formula_starts_literal()}::text AS formula__starts")
    sql = f"SELECT {line} FROM (SELECT {', '.join(named)} FROM ({inner}) AS r) AS m"
    return sql, [*label_params, *inner_params]


def _streamed_lines(sql: str, params: list) -> Iterator[str]:
    # A server-side cursor (as QuerySet.iterator uses): a download of any size holds at most
    # FETCH_ROWS lines at once.
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_ROWS):
            for (line,) in rows:
                yield line


def csv_download_response(filename: str, columns: Sequence[str], sql: str, params: list):
    """Like `large_download_response` for CSV: a plain response up to STREAM_AFTER_ROWS rows (the
    page cache may keep it), streamed in batches beyond.

    The first rows are read with a plain cursor (a server-side one plans for the first few rows
    and took twice as long for a few thousand); only a longer download is read again, streamed.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {downloads.STREAM_AFTER_ROWS + 1}", params)
        head = [line for (line,) in cursor.fetchall()]
    header = downloads.csv_text(columns, [])  # BOM and the header line, as the generic path writes them
    if len(head) <= downloads.STREAM_AFTER_ROWS:
        body = header + "".join(f"{line}\r\n" for line in head)
        response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    else:
        chunks = _chunks(header, _streamed_lines(sql, params))
        response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _chunks(header: str, lines: Iterator[str]) -> Iterator[bytes]:
    yield header.encode("utf-8")
    while batch := list(itertools.islice(lines, FETCH_ROWS)):
        yield "".join(f"{line}\r\n" for line in batch).encode("utf-8")
