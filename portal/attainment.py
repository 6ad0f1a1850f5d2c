"""Target attainment: a year's actual value of an indicator against its target for that year.

The share is actual ÷ target. Whether the target is met depends on the indicator's direction
(`Indicator.higher_is_better`): at or above the target, or at or below it. A partial-year actual
(counted up to an as-of date) is never called missed: while the year runs, a count can still
grow. The percentage shown is rounded towards "not met" (down when higher is better, up when
lower is better), so that it reads 100 % or better only when the target is met.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from programs.models import MetricKind, YearlyMetric

NO_BREAK_SPACE = "\u00a0"


class Status(models.TextChoices):
    MET = "met", _("met")
    NOT_MET = "not_met", _("not met")
    IN_PROGRESS = "in_progress", _("in progress (partial year)")
    NOT_DUE = "not_due", _("not yet due")
    NOT_REPORTED = "not_reported", _("no actual reported")


@dataclass(frozen=True)
class Attainment:
    year: int
    target: Decimal
    actual: Decimal | None
    higher_is_better: bool = True
    # The date a partial-year actual was counted up to; None for a full year.
    as_of: date | None = None
    # A partial-year actual whose source gives no date (its note says how far it counts).
    partial: bool = False
    # What the source gives as about so many (576여).
    target_approximate: bool = False
    actual_approximate: bool = False

    @property
    def is_partial(self) -> bool:
        return self.partial or self.as_of is not None

    @property
    def share(self) -> Decimal | None:
        """actual ÷ target; None without an actual, or for a zero target (no share of nothing)."""
        if self.actual is None or self.target == 0:
            return None
        return Decimal(self.actual) / Decimal(self.target)

    @property
    def percent(self) -> int | None:
        """The share in whole percent, rounded towards "not met"."""
        share = self.share
        if share is None:
            return None
        hundredths = share * 100
        return math.floor(hundredths) if self.higher_is_better else math.ceil(hundredths)

    @property
    def reached(self) -> bool | None:
        """Whether the actual, as it stands, is on the good side of the target."""
        if self.actual is None:
            return None
        return self.actual >= self.target if self.higher_is_better else self.actual <= self.target

    def status(self, today: date) -> Status:
        if self.actual is None:
            return Status.NOT_DUE if self.year >= today.year else Status.NOT_REPORTED
        if self.is_partial:
            # A count that grows through the year has met a higher-is-better target once it
            # reaches it; anything else is known only when the year is complete.
            if self.higher_is_better and self.reached:
                return Status.MET
            return Status.IN_PROGRESS
        return Status.MET if self.reached else Status.NOT_MET


def as_of_words(as_of: date) -> str:
    """A partial year's extent in words: "2019년 상반기" / "first half of 2019" for the first half,
    otherwise "2019. 10. 21. 기준" / "as of 21 Oct 2019"."""
    if (as_of.month, as_of.day) == (6, 30):
        return gettext("first half of %(year)s") % {"year": as_of.year}
    return gettext("as of %(date)s") % {"date": day_words(as_of)}


def day_words(day: date) -> str:
    """A date as a reader of the page's language writes it, "2019. 10. 21." / "21 Oct 2019" (the
    locale's DATE_FORMAT, jeonju/formats), with no-break spaces: a date is never split across
    lines, wherever the sentence it sits in wraps."""
    return date_format(day, "DATE_FORMAT").replace(" ", NO_BREAK_SPACE)


def sentence(item: Attainment, format_value) -> str:
    """ "목표 81억 원 대비 43억 원 (53 %), 2019년 상반기 기준" / "KRW 4.3 bn against a target of
    KRW 8.1 bn (53 %), first half of 2019"; `format_value(value, approximate)` writes a value
    with its unit."""
    target = format_value(item.target, item.target_approximate)
    if item.actual is None:
        return gettext("target %(target)s, no actual reported") % {"target": target}
    values = {"actual": format_value(item.actual, item.actual_approximate), "target": target}
    if item.percent is None:
        text = gettext("%(actual)s against a target of %(target)s") % values
    else:
        text = gettext("%(actual)s against a target of %(target)s (%(percent)s %%)") % {
            **values,
            "percent": item.percent,
        }
    if item.as_of is not None:
        text += ", " + as_of_words(item.as_of)
    elif item.partial:
        text += ", " + gettext("partial year")
    return text


@dataclass(frozen=True)
class Row:
    """An attainment with what it is of: the page that lists it links the program and indicator."""

    program: object
    indicator: object
    attainment: Attainment


def attainments(metrics: Iterable) -> list[Row]:
    """One Row per (program, indicator, year) that has a target, from YearlyMetric rows (with their
    program and indicator loaded), in (program, indicator, year) order."""
    targets, actuals = {}, {}
    for metric in metrics:
        key = (metric.program_id, metric.indicator_id, metric.year)
        (targets if metric.kind == MetricKind.TARGET else actuals)[key] = metric
    result = []
    for key in sorted(targets):
        target, actual = targets[key], actuals.get(key)
        item = Attainment(
            year=key[2],
            target=target.value,
            actual=actual.value if actual else None,
            higher_is_better=target.indicator.higher_is_better,
            as_of=actual.as_of if actual else None,
            partial=bool(actual and actual.partial),
            target_approximate=target.approximate,
            actual_approximate=bool(actual and actual.approximate),
        )
        result.append(Row(target.program, target.indicator, item))
    return result


# What the downloads add to each actual value that has a target for its year.
def with_year_target(metrics):
    """YearlyMetric rows annotated with `year_target`: the target of the same program, indicator
    and year (one index lookup per row), for `download_cells`."""
    target = YearlyMetric.objects.filter(
        program=OuterRef("program"), indicator=OuterRef("indicator"), year=OuterRef("year"), kind=MetricKind.TARGET
    ).values("value")[:1]
    return metrics.annotate(year_target=Subquery(target))


def download_cells(metric, higher_is_better: bool, today: date) -> list:
    """The target, the share in percent and the status of an actual value with a target for its
    year (its as-of is a column of its own); blank otherwise. The columns: portal.columns.ATTAINMENT."""
    if metric.kind == MetricKind.TARGET or metric.year_target is None:
        return ["", "", ""]
    item = Attainment(
        year=metric.year,
        target=metric.year_target,
        actual=metric.value,
        higher_is_better=higher_is_better,
        as_of=metric.as_of,
        partial=metric.partial,
    )
    percent = item.percent
    return [metric.year_target, "" if percent is None else percent, item.status(today).value]


def with_status(rows: Iterable[Row], today: date) -> list[dict]:
    """What a template lists: each row with its status as of today."""
    return [{"row": row, "status": row.attainment.status(today)} for row in rows]


def roll_up(items: Iterable[Attainment], today: date) -> Counter:
    """How many targets are in each status: a policy's summary of its programs' targets."""
    return Counter(item.status(today) for item in items)
