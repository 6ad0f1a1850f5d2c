"""What the visit and budget imports share around their own reading and writing: the size limit,
one transaction taken in turn with the other imports, the import batch, and a lock conflict
turned into a clear refusal."""

from __future__ import annotations

import io
from typing import BinaryIO

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from jeonju.csvio import (
    CsvReadError,
    detect_encoding,
    iter_records,
    open_text,
    sniff_delimiter,
    too_big_message,
    unescape_formula_guard,
)

from ..batches import finish_batch, start_batch
from . import another_import_message, is_lock_conflict, lock_imports
from .columns import name_key
from .parse import Problem


def read_file(stream: BinaryIO, parsed, read_rows) -> None:
    """Detect the file's encoding and separator, then `read_rows(records)`; a file that cannot be
    read as text is one problem of the whole file."""
    try:
        parsed.encoding = detect_encoding(stream)
        with open_text(stream, parsed.encoding) as text:
            parsed.delimiter = sniff_delimiter(text)
        with open_text(stream, parsed.encoding) as text:
            read_rows(iter_records(text, parsed.delimiter))
    except CsvReadError as exc:
        parsed.problem(0, "", str(exc))


def match_columns(parsed, line: int, headers: list[str], columns: dict, required, split=None) -> dict[str, int]:
    """The position of each known column in a header line (`columns`: name → the headers
    accepted, English first, then Korean), every problem recorded in `parsed`. `split(header)`
    may take a part off a header first and return (the rest, what it took) — a unit, as in
    예산액(천원) — which is kept in `parsed.header_parts`. A column the file leaves out is named
    in the problems in the language of its headers."""
    lookup = {name_key(alias): name for name, aliases in columns.items() for alias in aliases}
    index: dict[str, int] = {}
    parsed.header_parts = {}
    for position, header in enumerate(headers):
        text, part = split(unescape_formula_guard(header)) if split else (unescape_formula_guard(header), None)
        name = lookup.get(name_key(text))
        if name is None:
            names = ", ".join(f"{aliases[0]} ({aliases[1]})" for aliases in columns.values())
            message = _("unknown column; the columns are %(names)s") % {"names": names}
            parsed.problem(line, header or f"#{position + 1}", message)
        elif name in index:
            parsed.problem(line, header, _("this column appears twice"))
        else:
            index[name] = position
            if part is not None:
                parsed.header_parts[name] = part
    for name in required:
        if name not in index:
            message = _("required column missing (%(names)s)") % {"names": " / ".join(columns[name])}
            parsed.problem(line, name, message)
    parsed.columns.update((name, headers[position]) for name, position in index.items())
    korean = any("가" <= char <= "힣" for header in headers for char in header)
    for name, aliases in columns.items():
        parsed.columns.setdefault(name, aliases[1] if korean else aliases[0])
    return index


class RollBack(Exception):
    """Raised by a writer to undo what it wrote (a dry run, a problem found while writing)."""


def import_whole_file(
    data: bytes | BinaryIO,
    *,
    kind: str,
    parse,
    write,
    empty,
    dry_run: bool,
    user_id: int | None,
    reason: str,
    max_bytes: int | None,
    keep: int,
    file_name: str,
):
    """`parse(stream)` the file, then unless it has problems `write(outcome, dry_run, user_id,
    reason, batch)` in one transaction, recorded as an import batch of `kind` unless dry_run;
    `empty()` is the outcome of a file refused before it is read."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    size = len(data) if isinstance(data, bytes | bytearray) else stream.seek(0, io.SEEK_END)
    limit = settings.CSV_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    if limit and size > limit:
        outcome = empty()
        outcome.parsed.problem(0, "", too_big_message(size, limit))
        return outcome
    outcome = parse(stream)
    outcome.dry_run, outcome.keep = dry_run, keep
    if not outcome.ok:
        return outcome
    try:
        # Written in the site's language, so a model's untranslated column gets the Korean text.
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            batch = None
            if not dry_run:
                lock_imports()
                batch = start_batch(kind, stream, user_id=user_id, file_name=file_name)
            write(outcome, dry_run, user_id, reason, batch)
            if batch:
                finish_batch(batch, outcome.counts)
                outcome.batch_pk = batch.pk
    except RollBack:
        outcome.batch_pk = None
    except OperationalError as exc:
        if not is_lock_conflict(exc):
            raise
        outcome.parsed.problems[:] = [Problem(0, "", another_import_message())]
        outcome.batch_pk = None
    return outcome
