"""Policies, the values and terms they belong to, and the documents figures come from."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jeonju import search

# Years a figure may carry: the city's policy record starts in the 1990s; anything outside
# this range is a typing mistake.
MIN_YEAR = 1990
MAX_YEAR = 2100


def year_range_q(field: str, *, nullable: bool = False) -> Q:
    """A CheckConstraint condition keeping `field` within the sane year range."""
    q = Q(**{f"{field}__gte": MIN_YEAR}) & Q(**{f"{field}__lte": MAX_YEAR})
    if nullable:
        q |= Q(**{f"{field}__isnull": True})
    return q


def period_constraints(prefix: str) -> list[models.CheckConstraint]:
    """Constraints for a model with optional `start_year` and `end_year`: both sane, in order."""
    return [
        models.CheckConstraint(condition=year_range_q("start_year", nullable=True), name=f"{prefix}_start_year_range"),
        models.CheckConstraint(condition=year_range_q("end_year", nullable=True), name=f"{prefix}_end_year_range"),
        models.CheckConstraint(
            condition=Q(end_year__isnull=True) | Q(start_year__isnull=True) | Q(end_year__gte=models.F("start_year")),
            name=f"{prefix}_end_after_start",
        ),
    ]


def validate_year(value):
    if value is not None and not MIN_YEAR <= value <= MAX_YEAR:
        raise ValidationError(
            _("%(value)s is not a year between %(min)s and %(max)s."),
            params={"value": value, "min": MIN_YEAR, "max": MAX_YEAR},
            code="year_range",
        )


class Source(models.Model):
    """The document a figure comes from: a news article, a press release, a report."""

    publisher = models.CharField(_("publisher"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    published_on = models.DateField(
        _("published on"), null=True, blank=True, help_text=_("Leave empty when the source gives no full date.")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[validate_year])
    url = models.URLField(_("URL"), blank=True, max_length=500)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["-year", "-published_on", "publisher"]
        constraints = [
            models.CheckConstraint(condition=year_range_q("year"), name="source_year_range"),
            models.UniqueConstraint(fields=["publisher", "title", "year"], name="source_unique_document"),
        ]

    def __str__(self):
        when = self.published_on.isoformat() if self.published_on else str(self.year)
        return f"{self.publisher}, «{self.title}», {when}"

    def clean(self):
        if self.published_on and self.year and self.published_on.year != self.year:
            raise ValidationError({"year": _("The year must be the year of the publication date.")})


class CoreValue(models.Model):
    """One of the city's core values: people, ecology, culture, jobs."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("core value")
        verbose_name_plural = _("core values")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class ElectedTerm(models.Model):
    """A mayor's elected term (민선 N기)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    start_year = models.PositiveSmallIntegerField(_("start year"), validators=[validate_year])
    end_year = models.PositiveSmallIntegerField(_("end year"), validators=[validate_year])

    class Meta:
        verbose_name = _("elected term")
        verbose_name_plural = _("elected terms")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="term_end_after_start"),
        ]

    def __str__(self):
        return self.name


class Sector(models.TextChoices):
    CULTURE_REGENERATION = "culture_regeneration", _("Culture-led regeneration")
    URBAN_REGENERATION = "urban_regeneration", _("Urban regeneration")
    WELFARE = "welfare", _("Welfare")
    SOCIAL_ECONOMY = "social_economy", _("Social economy")
    COMMUNITY = "community", _("Community")
    NEW_INDUSTRY = "new_industry", _("New industries")
    ENVIRONMENT = "environment", _("Environment")
    LOCAL_ECONOMY = "local_economy", _("Local economy")
    DIGITAL = "digital", _("Digital")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")


class PolicyQuerySet(models.QuerySet):
    search_fields = ("title_ko", "title_en", "summary_ko", "summary_en")

    def search(self, text: str):
        """Every word of `text` in the title or summary, in either language (jeonju.search)."""
        query_words = search.words(text)
        if not query_words:
            return self
        return self.filter(search.matches_all(self.search_fields, query_words))


class Policy(models.Model):
    """A policy direction of the city, carried out by one or more programs."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("body"), blank=True)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    core_values = models.ManyToManyField(CoreValue, verbose_name=_("core values"), blank=True, related_name="policies")
    terms = models.ManyToManyField(ElectedTerm, verbose_name=_("elected terms"), blank=True, related_name="policies")
    department = models.CharField(_("responsible department"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    start_year = models.PositiveSmallIntegerField(_("start year"), null=True, blank=True, validators=[validate_year])
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True, validators=[validate_year])
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True, related_name="policies")

    history = HistoricalRecords(m2m_fields=[core_values, terms])
    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["title"]
        constraints = period_constraints("policy")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("policies:detail", args=[self.slug])

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The end year cannot come before the start year.")})
        if self.status == Status.COMPLETED and not self.end_year:
            raise ValidationError({"end_year": _("A completed policy needs an end year.")})
