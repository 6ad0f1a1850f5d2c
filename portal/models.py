"""The public site's own table: figures derived from the data apps, never entered."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramFigures(models.Model):
    """A program's figures as the lists show and sort them, derived from its visits, yearly metrics
    and budget lines and kept by portal.figures: never entered, never edited."""

    program = models.OneToOneField(
        "programs.Program",
        verbose_name=_("program"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
    )
    visit_count = models.PositiveIntegerField(_("named visits on record"), default=0)
    # The sum of the sources' yearly counts of visiting organizations, and what it sums: a sum over
    # years is shown with its years, and says so when a partial-year count is in it.
    visitors_counted = models.DecimalField(
        _("visiting organizations counted"), max_digits=24, decimal_places=2, null=True, blank=True
    )
    counted_first_year = models.PositiveSmallIntegerField(_("first year counted"), null=True, blank=True)
    counted_last_year = models.PositiveSmallIntegerField(_("last year counted"), null=True, blank=True)
    counted_years = models.PositiveSmallIntegerField(_("years counted"), default=0)
    counted_partial_years = models.PositiveSmallIntegerField(_("partial years counted"), default=0)
    counted_as_of = models.DateField(_("latest partial count as of"), null=True, blank=True)
    # Planned and executed money apart, never added together: each the sum of the program's budget
    # lines of every period (one-year and multi-year alike) that give such an amount.
    planned_total = models.BigIntegerField(_("planned budget, all periods (KRW)"), null=True, blank=True)
    executed_total = models.BigIntegerField(_("executed amount, all periods (KRW)"), null=True, blank=True)

    class Meta:
        verbose_name = _("program figures")
        verbose_name_plural = _("program figures")
        # The most-visited programs: the first few entries of this index, largest first.
        indexes = [models.Index(fields=["visitors_counted"], name="figures_counted_idx")]

    def __str__(self):
        return str(self.program)


class IndicatorFigures(models.Model):
    """An indicator's figures as the indicator list shows them, derived from its yearly metrics
    and kept by portal.figures, so the list reads one row per indicator rather than every value."""

    indicator = models.OneToOneField(
        "programs.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
    )
    program_count = models.PositiveIntegerField(_("programs with values"), default=0)
    value_count = models.PositiveIntegerField(_("values"), default=0)
    first_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator figures")
        verbose_name_plural = _("indicator figures")

    def __str__(self):
        return str(self.indicator)


class VisitFigures(models.Model):
    """The named visits of one year from one region of origin, counted and their people summed:
    derived from the visits and kept by portal.figures, so the unfiltered visit list's totals and
    charts read one row per year and region rather than every visit."""

    year = models.PositiveSmallIntegerField(_("year"))
    region = models.CharField(_("region of origin"), max_length=20)
    visit_count = models.PositiveIntegerField(_("named visits on record"), default=0)
    people = models.PositiveIntegerField(_("number of people"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit figures")
        verbose_name_plural = _("visit figures")
        constraints = [models.UniqueConstraint(fields=["year", "region"], name="visit_figures_year_region")]

    def __str__(self):
        return f"{self.year} {self.region}"
