"""Programs carrying out policies, and the figures kept about them: indicators, yearly
metrics, budget lines, milestones and awards."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jeonju import search
from policies.models import Policy, Source, Status, period_constraints, validate_year, year_range_q


class ImportTagged(models.Model):
    """The base of the history rows an import writes: each carries its import batch, so a batch
    is the set of history rows it wrote, and undoing it reads them back (programs.batches)."""

    import_batch = models.ForeignKey(
        "programs.ImportBatch",
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class Category(models.TextChoices):
    FACILITY = "facility", _("Facility")
    REGENERATION = "regeneration", _("Regeneration project")
    INDUSTRY = "industry", _("Industry and research")
    SOCIAL_ECONOMY = "social_economy", _("Social economy support")
    WELFARE_SERVICE = "welfare_service", _("Welfare service")
    COMMUNITY = "community", _("Community program")
    LOCAL_ECONOMY = "local_economy", _("Local economy")
    ENVIRONMENT = "environment", _("Environment")
    DIGITAL = "digital", _("Digital")


class ProgramQuerySet(models.QuerySet):
    search_fields = ("name_ko", "name_en", "description_ko", "description_en")

    def search(self, text: str):
        """Every word of `text` in the name or description, in either language (jeonju.search)."""
        query_words = search.words(text)
        if not query_words:
            return self
        return self.filter(search.matches_all(self.search_fields, query_words))

    def with_budget_totals(self):
        """Per program, `planned_total` and `executed_total`: the planned and the executed amounts
        of its budget lines, each summed apart (money planned and money spent are never added
        together); None where no line gives such an amount."""
        lines = BudgetLine.objects.filter(program=OuterRef("pk")).order_by().values("program")

        def total(field):
            return Subquery(lines.annotate(total=Sum(field)).values("total"), output_field=models.BigIntegerField())

        return self.annotate(planned_total=total("planned_amount"), executed_total=total("executed_amount"))


class Program(models.Model):
    """A concrete project or facility that carries out one or more policies."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"))
    policies = models.ManyToManyField(Policy, verbose_name=_("policies"), related_name="programs")
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    start_year = models.PositiveSmallIntegerField(_("start year"), null=True, blank=True, validators=[validate_year])
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True, validators=[validate_year])
    opened_on = models.DateField(
        _("opened on"), null=True, blank=True, help_text=_("Only where the exact date is known.")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True, related_name="programs")

    history = HistoricalRecords(m2m_fields=[policies])
    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name"]
        constraints = period_constraints("program")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programs:detail", args=[self.slug])

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The end year cannot come before the start year.")})
        if self.opened_on and self.start_year and self.opened_on.year < self.start_year:
            raise ValidationError({"opened_on": _("The opening date cannot come before the start year.")})


class Milestone(models.Model):
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="milestones")
    year = models.PositiveSmallIntegerField(_("year"), validators=[validate_year])
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["program", "year", "month"]
        constraints = [
            models.CheckConstraint(condition=year_range_q("year"), name="milestone_year_range"),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | (Q(month__gte=1) & Q(month__lte=12)), name="milestone_month_range"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.title}"


class Award(models.Model):
    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="awards")
    name = models.CharField(_("name"), max_length=300)
    awarded_by = models.CharField(_("awarded by"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[validate_year], help_text=_("Empty where the source gives none.")
    )
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    source = models.ForeignKey(Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["program", "year", "month"]
        constraints = [
            models.CheckConstraint(condition=year_range_q("year", nullable=True), name="award_year_range"),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | (Q(month__gte=1) & Q(month__lte=12)), name="award_month_range"
            ),
        ]

    def __str__(self):
        return self.name


class Unit(models.TextChoices):
    """What an indicator counts. The name is also the word written after a number of it
    ("84개 기관", "84 organizations"; see `after_number`). The names have their own message
    context: in Korean the word after a number ("개 기관") is not the same word as a name (the
    organization model is "기관")."""

    ORGANIZATIONS = "organizations", pgettext_lazy("unit after a number", "organizations")
    PEOPLE = "people", pgettext_lazy("unit after a number", "people")
    CASES = "cases", pgettext_lazy("unit after a number", "cases")
    KRW = "krw", pgettext_lazy("unit after a number", "KRW")
    JOBS = "jobs", pgettext_lazy("unit after a number", "jobs")
    VEHICLES = "vehicles", pgettext_lazy("unit after a number", "vehicles")
    WORKPLACES = "workplaces", pgettext_lazy("unit after a number", "workplaces")
    COMMUNITIES = "communities", pgettext_lazy("unit after a number", "communities")
    NEIGHBORHOODS = "neighborhoods", pgettext_lazy("unit after a number", "neighborhoods")
    MERCHANTS = "merchants", pgettext_lazy("unit after a number", "merchants")
    COUNT = "count", pgettext_lazy("unit after a number", "count")
    PERCENT = "percent", _("%")

    @classmethod
    def after_number(cls, unit: str) -> str:
        """The word written after a number of `unit`, in the active language: its name, except
        after a plain count outside Korean, where a number stands alone ("60개", but "60",
        never "60 count")."""
        if unit == cls.COUNT and not (get_language() or "ko").startswith("ko"):
            return ""
        return str(cls(unit).label) if unit in cls.values else unit


# Units whose values add up across programs (a sum of percentages would mean nothing).
ADDITIVE_UNITS = frozenset(Unit) - {Unit.PERCENT}


class IndicatorQuerySet(models.QuerySet):
    search_fields = ("name_ko", "name_en", "definition_ko", "definition_en")

    def search(self, text: str):
        """Every word of `text` in the name or definition, in either language (jeonju.search)."""
        query_words = search.words(text)
        if not query_words:
            return self
        return self.filter(search.matches_all(self.search_fields, query_words))


class Indicator(models.Model):
    """What a yearly metric measures, e.g. visiting organizations per year."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    definition = models.TextField(_("definition"))
    higher_is_better = models.BooleanField(_("higher is better"), default=True)

    history = HistoricalRecords()
    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("indicators:detail", args=[self.code])

    @property
    def unit_after_number(self) -> str:
        """The word after a value of this indicator: "246대", "246 vehicles" (Unit.after_number)."""
        return Unit.after_number(self.unit)


class MetricKind(models.TextChoices):
    ACTUAL = "actual", _("Actual")
    TARGET = "target", _("Target")


class YearlyMetric(models.Model):
    """One value of one indicator for one program and year, actual or target."""

    # No single-column indexes on program and indicator: the unique key (program first) and
    # metric_indicator_kind_idx (indicator first) serve those lookups, and every index is
    # one more write per imported row.
    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="metrics", db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="metrics", db_index=False
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[validate_year])
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=10, choices=MetricKind.choices, default=MetricKind.ACTUAL)
    as_of = models.DateField(
        _("as of"), null=True, blank=True, help_text=_("For a partial-year figure: the date it was counted up to.")
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True, related_name="metrics"
    )
    approximate = models.BooleanField(
        _("approximate"),
        default=False,
        db_default=False,  # for the bulk writers that insert plain rows (generate_demo_data, benchmarks)
        help_text=_('The source gives the value as about so many (여, 정도, 약): shown as "약 576" / "about 576".'),
    )
    partial = models.BooleanField(
        _("partial year, see the note"),
        default=False,
        db_default=False,
        help_text=_(
            'A partial-year figure whose source gives no full as-of date ("22일 기준", "현재까지"): '
            "the note says how far it counts. A figure with an as-of date is partial already."
        ),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    # History is read per metric (by id), never by program, indicator or source: those indexes
    # would only slow the bulk import, which writes a history row per metric.
    history = HistoricalRecords(no_db_index=["program", "indicator", "source"], bases=[ImportTagged])

    class Meta:
        verbose_name = _("yearly metric")
        verbose_name_plural = _("yearly metrics")
        ordering = ["program", "indicator", "year", "kind"]
        indexes = [
            # Per-indicator reads (yearly totals, sums per program, an indicator's programs),
            # answered from the index alone.
            models.Index(
                fields=["indicator", "kind", "program", "year"],
                include=["value", "as_of", "approximate", "partial"],
                name="metric_indicator_kind_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["program", "indicator", "year", "kind"], name="metric_unique_key"),
            models.CheckConstraint(condition=year_range_q("year"), name="metric_year_range"),
        ]

    def __str__(self):
        return f"{self.program} · {self.indicator} · {self.year}: {self.value}"

    @property
    def is_partial(self) -> bool:
        """A partial-year figure: counted up to its as-of date, or marked partial (see the note)."""
        return self.as_of is not None or self.partial

    def clean(self):
        errors = {}
        if self.as_of and self.year and self.as_of.year != self.year:
            errors["as_of"] = _("The as-of date must fall in the metric's year.")
        if self.partial and not self.as_of and not (self.note_ko or self.note_en or "").strip():
            errors["partial"] = _(
                "A partial-year figure without an as-of date needs a note saying how far it counts "
                '(the source\'s words, e.g. "22일 기준").'
            )
        indicator = self.indicator if self.indicator_id else None
        if indicator and indicator.unit != Unit.PERCENT and self.value is not None and self.value < 0:
            errors["value"] = _("A count or amount cannot be negative.")
        if errors:
            raise ValidationError(errors)


class FundingSource(models.TextChoices):
    NATIONAL = "national", _("National funds")
    PROVINCIAL = "provincial", _("Provincial funds")
    CITY = "city", _("City funds")
    PRIVATE = "private", _("Private funds")
    OTHER = "other", _("Other")
    UNSPECIFIED = "unspecified", _("Not broken down")


class BudgetLine(models.Model):
    """An amount for a program from one funding source, for a fiscal year or a multi-year period.

    A single fiscal year has start_year == end_year; a multi-year total spans them; a total whose
    period the source does not give leaves the start (or both) empty.
    """

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="budget_lines"
    )
    start_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True, validators=[validate_year])
    end_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True, validators=[validate_year])
    funding_source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices)
    planned_amount = models.BigIntegerField(_("planned amount (KRW)"), null=True, blank=True)
    executed_amount = models.BigIntegerField(_("executed amount (KRW)"), null=True, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True, related_name="budget_lines"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords(bases=[ImportTagged])

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["program", "start_year", "end_year", "funding_source"]
        constraints = [
            *period_constraints("budget"),
            models.CheckConstraint(
                condition=Q(planned_amount__isnull=True) | Q(planned_amount__gte=0), name="budget_planned_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(executed_amount__isnull=True) | Q(executed_amount__gte=0),
                name="budget_executed_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(planned_amount__isnull=False) | Q(executed_amount__isnull=False),
                name="budget_has_an_amount",
            ),
        ]

    def __str__(self):
        return f"{self.program} · {self.period_label} · {self.get_funding_source_display()}"

    @property
    def period_label(self) -> str:
        """The period as the admin and the public site write it. A line with no years is an amount
        whose period the source does not give, not a sum of the others: it says so."""
        if self.start_year and self.end_year and self.start_year != self.end_year:
            return f"{self.start_year}–{self.end_year}"
        if self.end_year and not self.start_year:
            return str(_("until %(year)s") % {"year": self.end_year})
        year = self.start_year or self.end_year
        return str(year) if year else str(_("period not given"))

    def clean(self):
        errors = {}
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("The last year cannot come before the first year.")
        if self.planned_amount is None and self.executed_amount is None:
            errors["planned_amount"] = _("Give a planned or an executed amount.")
        for field in ("planned_amount", "executed_amount"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _("An amount cannot be negative.")
        if errors:
            raise ValidationError(errors)


class ImportUpload(models.Model):
    """A metric CSV file between the admin import's preview and its confirmation, kept in the
    database so the confirmation may reach another app server than the preview did; kept and
    expired by programs.uploads, never edited."""

    data = models.BinaryField(_("file"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("import upload")
        verbose_name_plural = _("import uploads")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.pk} · {self.created_at:%Y-%m-%d %H:%M}"


class ImportKind(models.TextChoices):
    METRICS = "metrics", _("Yearly metrics")
    VISITS = "visits", _("Benchmarking visits")
    BUDGET = "budget", _("Budget lines")
    UNDO = "undo", _("Undo of an import")


class ImportBatch(models.Model):
    """One import of a file (metrics, visits or budget lines; from the admin or a command), or the
    undo of one: who, when, which file, what it did. The rows it touched are the history rows
    tagged with it (ImportTagged); programs.batches undoes it as a whole."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), null=True, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True, db_index=True)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    undoes = models.OneToOneField(
        "self",
        verbose_name=_("undoes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="undone_by",
    )

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.file_name}".strip()

    @property
    def reason(self) -> str:
        """The change reason of the history rows it writes."""
        if self.undoes_id:
            return f"undo of import #{self.undoes_id}"
        return f"import #{self.pk} {self.file_name}".strip()
