"""Reading CSV files the way city staff produce them, and the formula escape of every CSV the site writes.

Excel on a Korean Windows desktop saves "CSV" as CP949 (a superset of EUC-KR), "CSV UTF-8"
with a byte-order mark, or "Unicode text" as tab-separated UTF-16; files exported elsewhere
are plain UTF-8. The encoding is detected here, never asked for, and the separator (comma or
tab) is taken from the header line. Nothing in this module knows about metrics; the
importer (programs/importing/) builds on it.

Every CSV the site writes (the public downloads, the admin's exports) puts an apostrophe before
a cell a spreadsheet would run as a formula (OWASP "CSV injection"): `escape_csv_cell`, by the
one rule `starts_like_formula`, which the importer's `unescape_formula_guard` undoes.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO, TextIO

from django.utils.translation import gettext as _


class CsvReadError(ValueError):
    """The file cannot be read as text at all (not a problem of one row)."""


# Bytes read at a time while checking the encoding: memory stays bounded by this, not the file.
CHUNK_BYTES = 1 << 20


def detect_encoding(stream: BinaryIO) -> str:
    """The encoding of a CSV upload: a BOM decides; else UTF-8 if it is valid UTF-8; else CP949.

    The whole stream is checked (a chunk at a time), so a file that reads is known to read to
    its end before any row is looked at; raises CsvReadError naming the first bad byte.
    A CP949 file of Korean text is practically never valid UTF-8 (its lead bytes 0xB0–0xC8
    followed by 0xA1–0xFE break UTF-8's continuation rules), so trying UTF-8 first is safe.
    """
    stream.seek(0)
    head = stream.read(len(codecs.BOM_UTF8))
    if head == codecs.BOM_UTF8:
        bad = _first_bad_byte(stream, "utf-8", start=len(head))
        if bad is not None:
            raise CsvReadError(
                _("The file starts like UTF-8 text but has bytes that are not UTF-8 (byte %(pos)s).") % {"pos": bad + 1}
            )
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        if _first_bad_byte(stream, "utf-16") is not None:
            raise CsvReadError(_("The file starts like UTF-16 text but cannot be read as such."))
        return "utf-16"
    if _first_bad_byte(stream, "utf-8") is None:
        return "utf-8"
    bad = _first_bad_byte(stream, "cp949")
    if bad is not None:
        raise CsvReadError(
            _("The file is neither UTF-8 nor CP949/EUC-KR text (byte %(pos)s). Save it from Excel as CSV.")
            % {"pos": bad + 1}
        )
    return "cp949"


def _first_bad_byte(stream: BinaryIO, encoding: str, start: int = 0) -> int | None:
    """The position of the first byte from `start` on that does not decode, or None."""
    stream.seek(start)
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = start
    while True:
        chunk = stream.read(CHUNK_BYTES)
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            # exc.object is the bytes the decoder held back from the last chunk, then this one
            return offset + exc.start - (len(exc.object) - len(chunk))
        if not chunk:
            return None
        offset += len(chunk)


@contextlib.contextmanager
def open_text(stream: BinaryIO, encoding: str) -> Iterator[TextIO]:
    """The stream, from its start, as text for the csv module (newline="" keeps quoted line
    breaks); the byte stream is left open, to be read again."""
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        yield text
    finally:
        text.detach()


def sniff_delimiter(lines: Iterable[str]) -> str:
    """Tab or comma, decided by the first non-blank line (the header).

    csv.Sniffer guesses from the data too and is misled by quoted numbers like "1,240"; the
    header of a file we accept never holds a comma or a tab inside a name, so it is a sure sign.
    """
    for chunk in lines:
        for line in chunk.splitlines():
            if line.strip():
                return "\t" if line.count("\t") > line.count(",") else ","
    return ","


def iter_records(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) for each non-blank record, cells stripped of spaces.

    The line number is the physical line where the record starts (1-based), as a spreadsheet
    shows it, so a quoted cell spanning lines does not shift the numbers of later records.
    """
    # skipinitialspace: `1, "1,240"` is still a quoted cell after the space
    reader = csv.reader(lines, delimiter=delimiter, skipinitialspace=True)
    strip = str.strip
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            stripped = list(map(strip, cells))
            if any(stripped):
                yield start, stripped
    except csv.Error as exc:  # e.g. a cell over csv's field size limit
        raise CsvReadError(
            _("line %(line)s: the file cannot be read as CSV (%(error)s)")
            % {
                "line": previous_end + 1,
                "error": exc,
            }
        ) from exc


# What a spreadsheet reads as the start of a formula, ASCII and full width (Excel folds ＝ to =).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_FORMULA_PREFIX_SET = frozenset(FORMULA_PREFIXES)


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet might run `text` as a formula: it starts with a formula prefix, or
    with whitespace or an invisible format character (U+200B, U+FEFF, …) that a spreadsheet may
    strip before it looks (OWASP, "CSV injection"). Every CSV writer and the importer's undoing
    of the escape go by this one rule."""
    first = text[:1]
    return first in _FORMULA_PREFIX_SET or first.isspace() or (first != "" and unicodedata.category(first) == "Cf")


def escape_formula(text: str) -> str:
    """A text cell as every CSV the site writes has it: an apostrophe before formula-looking text."""
    return "'" + text if starts_like_formula(text) else text


def escape_csv_cell(value: Any) -> Any:
    """A value as a CSV cell: None empty, numbers as they are (a negative amount is data, not a
    formula), anything else as text through `escape_formula`."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    return escape_formula(str(value))


def unescape_formula_guard(value: str) -> str:
    """Undo the apostrophe an export puts before formula-looking text ("'-5" → "-5").

    Only an apostrophe followed by one of the escaped characters is taken away, so a value
    that really starts with an apostrophe is left alone.
    """
    if len(value) > 1 and value[0] == "'" and starts_like_formula(value[1:]):
        return value[1:]
    return value


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def parse_decimal(value: str) -> Decimal | None:
    """A number as staff type it: "1240", "1,240", "-5", "12.5", " 1,240 ". None if it is not one.

    Thousands separators must be in the right places ("1,24" is refused: a typo, not 124).
    """
    value = unescape_formula_guard(value.strip())
    if _PLAIN_NUMBER.fullmatch(value):
        pass
    elif _GROUPED_NUMBER.fullmatch(value):
        value = value.replace(",", "")
    else:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the patterns above only let numbers through
        return None


def too_big_message(size: int, limit: int) -> str:
    """What an upload over the size limit is told (the admin's upload form, the importer, the command)."""
    return _("The file is %(size)s bytes; the limit is %(limit)s bytes (%(mb)s MB). Split it into smaller files.") % {
        "size": f"{size:,}",
        "limit": f"{limit:,}",
        "mb": round(limit / 1024 / 1024, 1),
    }
