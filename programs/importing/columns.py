"""The metric file's columns: the headers accepted for each, the kind words, how names compare.

The format is documented in the README's staff guide; in short:

    program,indicator,year,value,kind,as_of,source,approximate
    palbok-art-factory,visiting-organizations,2019,92,actual,2019-10-21,3,no

Korean headers (사업, 지표, 연도, 값, 구분, 기준일, 출처, 약) work as well. Headers, names, kind
and yes/no words are compared with spaces collapsed and case folded (`name_key`).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jeonju.csvio import unescape_formula_guard
from policies.models import Source

from ..models import MetricKind

# Canonical column name → the headers accepted for it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "program": ("program", "사업"),
    "indicator": ("indicator", "지표"),
    "year": ("year", "연도"),
    "value": ("value", "값"),
    "kind": ("kind", "구분"),
    "as_of": ("as_of", "as of", "기준일"),
    "source": ("source", "출처"),
    "approximate": ("approximate", "approx", "근사", "근삿값", "근사값", "약"),
}
REQUIRED_COLUMNS = ("program", "indicator", "year", "value")
KIND_WORDS = {
    "": MetricKind.ACTUAL,
    "actual": MetricKind.ACTUAL,
    "실적": MetricKind.ACTUAL,
    "target": MetricKind.TARGET,
    "목표": MetricKind.TARGET,
}
# The `approximate` column's words; blank is "no" (unless the value itself says about: 576여).
FLAG_WORDS = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "예": True,
    "네": True,
    "o": True,
    "약": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
    "아니오": False,
    "아니요": False,
    "x": False,
}
SOURCE_SEPARATOR = "|"


def name_key(text: str) -> str:
    """How headers and names are compared: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()


_HEADER_TO_COLUMN = {name_key(alias): name for name, aliases in COLUMNS.items() for alias in aliases}


def match_header(headers: list[str]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The position of each known column in a header line, and a (column as written, message)
    for each problem: an unknown or repeated header, a required column missing."""
    index: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    for position, header in enumerate(headers):
        name = _HEADER_TO_COLUMN.get(name_key(unescape_formula_guard(header)))
        if name is None:
            names = ", ".join(f"{aliases[0]} ({aliases[-1]})" for aliases in COLUMNS.values())
            problems.append(
                (header or f"#{position + 1}", _("unknown column; the columns are %(names)s") % {"names": names})
            )
        elif name in index:
            problems.append((header, _("this column appears twice")))
        else:
            index[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in index:
            problems.append((name, _("required column missing (%(names)s)") % {"names": " / ".join(COLUMNS[name])}))
    return index, problems


def source_label(source: Source) -> str:
    """How a source is written in the `source` column: "publisher|title|date" (or the year)."""
    when = source.published_on.isoformat() if source.published_on else str(source.year)
    publisher = source.publisher_ko or source.publisher
    title = source.title_ko or source.title
    return SOURCE_SEPARATOR.join((publisher, title, when))
