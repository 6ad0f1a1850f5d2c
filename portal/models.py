"""The public site's own tables: figures derived from the data apps, never entered; and the
site's own texts (its contact details and its policy pages), which staff keep in the admin."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
    # Visiting bodies whose answer to the visit desk's follow-up is published on the program page.
    adopted_count = models.PositiveIntegerField(_("organizations that took something home"), default=0)

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
    # portal.selectors.reporting_totals() of the indicator, as ReportingTotal.kept() writes it:
    # its yearly sums over the programs reporting every year shown. None where its values do not
    # add up (percentages) or it has no actual value.
    reporting = models.JSONField(
        _("sums over the programs reporting"), null=True, blank=True, encoder=DjangoJSONEncoder
    )

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


class SourceFigures(models.Model):
    """How many named visits, actual yearly counts of visiting organizations and budget lines cite
    a source: derived and kept by portal.figures, so the home page finds the sources of its
    figures in one row per source rather than in the distinct sources of every visit and count."""

    source = models.OneToOneField(
        "policies.Source",
        verbose_name=_("source"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
    )
    visit_count = models.PositiveIntegerField(_("named visits"), default=0)
    counted_values = models.PositiveIntegerField(_("yearly counts of visiting organizations"), default=0)
    budget_line_count = models.PositiveIntegerField(_("budget lines"), default=0)

    class Meta:
        verbose_name = _("source figures")
        verbose_name_plural = _("source figures")

    def __str__(self):
        return str(self.source)


class BudgetFigures(models.Model):
    """The budget lines that give one kind of amount (planned or executed) for one kind of period
    (one fiscal year, several, or a first year the source does not give), counted and summed with
    the years they cover: derived and kept by portal.figures, so the home page's money headlines
    read these six rows rather than every budget line."""

    amount = models.CharField(_("amount"), max_length=10)  # "planned" or "executed"
    period = models.CharField(_("period"), max_length=20)  # portal.figures.BUDGET_PERIODS
    line_count = models.PositiveIntegerField(_("budget lines"), default=0)
    total = models.BigIntegerField(_("sum (KRW)"), null=True, blank=True)
    first_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)

    class Meta:
        verbose_name = _("budget figures")
        verbose_name_plural = _("budget figures")
        constraints = [models.UniqueConstraint(fields=["amount", "period"], name="budget_figures_amount_period")]

    def __str__(self):
        return f"{self.amount} {self.period}"


class SiteContact(models.Model):
    """Who runs the portal and how to reach them: the header's link to the city's website and the
    footer's department, address and phone. One row (pk 1), created by the migrations with the
    defaults of portal.sitetexts, changed (never added or deleted) in the admin."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    owner = models.CharField(_("site owner"), max_length=100, help_text=_("Shown in the header, e.g. Jeonju City."))
    department = models.CharField(_("responsible department"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("city website"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site contact details")
        verbose_name_plural = _("site contact details")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="site_contact_single_row")]

    def __str__(self):
        return str(self.department)


class SitePage(models.Model):
    """One of the pages every Korean public website links from its footer: the privacy policy,
    the copyright policy and the accessibility statement. The rows are created by the migrations
    (defaults in portal.sitetexts); staff change their text in the admin."""

    class Slug(models.TextChoices):
        PRIVACY = "privacy", _("Privacy policy")
        COPYRIGHT = "copyright", _("Copyright policy")
        ACCESSIBILITY = "accessibility", _("Accessibility statement")

    # The key, so that a backup restored over a migrated database (which has the default rows)
    # overwrites each page rather than colliding with it.
    slug = models.SlugField(_("page"), max_length=20, choices=Slug.choices, primary_key=True)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(
        _("text"),
        help_text=_(
            'Each line is a paragraph. A line starting with "## " is a heading; '
            'lines starting with "- " make a list. Web addresses become links.'
        ),
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site page")
        verbose_name_plural = _("site pages")
        ordering = ["slug"]

    def __str__(self):
        return str(self.title)

    def get_absolute_url(self):
        return reverse(self.slug)

    @property
    def updated_on(self):
        """The day of the last change, in Korea."""
        return timezone.localdate(self.updated_at)
