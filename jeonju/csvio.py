"""Reading CSV files the way city staff produce them.

Excel on a Korean Windows desktop saves "CSV" as CP949 (a superset of EUC-KR), "CSV UTF-8"
with a byte-order mark, or "Unicode text" as tab-separated UTF-16; files exported elsewhere
are plain UTF-8. The encoding is detected here, never asked for, and the separator (comma or
tab) is taken from the header line. Nothing in this module knows about metrics; the
importers (programs/importing.py) build on it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from jeonju.downloads import starts_like_formula


class CsvReadError(ValueError):
    """The file cannot be read as text at all (not a problem of one row)."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a CSV upload: a BOM decides; else UTF-8 if it is valid UTF-8; else CP949.

    A CP949 file of Korean text is practically never valid UTF-8 (its lead bytes 0xB0–0xC8
    followed by 0xA1–0xFE break UTF-8's continuation rules), so trying UTF-8 first is safe.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return DecodedText(data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CsvReadError(
                _("The file starts like UTF-8 text but has bytes that are not UTF-8 (byte %(pos)s).")
                % {"pos": exc.start + len(codecs.BOM_UTF8) + 1}
            ) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return DecodedText(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise CsvReadError(_("The file starts like UTF-16 text but cannot be read as such.")) from exc
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return DecodedText(data.decode("cp949"), "cp949")
    except UnicodeDecodeError as exc:
        raise CsvReadError(
            _("The file is neither UTF-8 nor CP949/EUC-KR text (byte %(pos)s). Save it from Excel as CSV.")
            % {"pos": exc.start + 1}
        ) from exc


def sniff_delimiter(text: str) -> str:
    """Tab or comma, decided by the first non-blank line (the header).

    csv.Sniffer guesses from the data too and is misled by quoted numbers like "1,240"; the
    header of a file we accept never holds a comma or a tab inside a name, so it is a sure sign.
    """
    for line in text.splitlines():
        if line.strip():
            return "\t" if line.count("\t") > line.count(",") else ","
    return ","


def iter_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) for each non-blank record, cells stripped of spaces.

    The line number is the physical line where the record starts (1-based), as a spreadsheet
    shows it, so a quoted cell spanning lines does not shift the numbers of later records.
    """
    # skipinitialspace: `1, "1,240"` is still a quoted cell after the space
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
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
