"""Organizations that come to learn from Jeonju, and their benchmarking visits."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from policies.models import Source, validate_year, year_range_q
from programs.models import Program


class OrganizationKind(models.TextChoices):
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    PUBLIC_FOUNDATION = "public_foundation", _("Public foundation")
    EDUCATION_OFFICE = "education_office", _("Education office")
    CENTRAL_GOVERNMENT = "central_government", _("Central ministry or agency")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    COMPANY = "company", _("Company")
    CIVIC_GROUP = "civic_group", _("Civic group")
    OTHER = "other", _("Other")


class Region(models.TextChoices):
    """The 17 provinces and metropolitan cities, plus bodies that act nationwide."""

    SEOUL = "seoul", _("Seoul")
    BUSAN = "busan", _("Busan")
    DAEGU = "daegu", _("Daegu")
    INCHEON = "incheon", _("Incheon")
    GWANGJU = "gwangju", _("Gwangju")
    DAEJEON = "daejeon", _("Daejeon")
    ULSAN = "ulsan", _("Ulsan")
    SEJONG = "sejong", _("Sejong")
    GYEONGGI = "gyeonggi", _("Gyeonggi")
    GANGWON = "gangwon", _("Gangwon")
    CHUNGBUK = "chungbuk", _("North Chungcheong")
    CHUNGNAM = "chungnam", _("South Chungcheong")
    JEONBUK = "jeonbuk", _("North Jeolla")
    JEONNAM = "jeonnam", _("South Jeolla")
    GYEONGBUK = "gyeongbuk", _("North Gyeongsang")
    GYEONGNAM = "gyeongnam", _("South Gyeongsang")
    JEJU = "jeju", _("Jeju")
    NATIONWIDE = "nationwide", _("Nationwide / central")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationKind.choices)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "kind"], name="organization_region_kind_idx")]

    def __str__(self):
        return self.name


class VisitQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("program", "organization", "source")


class Visit(models.Model):
    """A benchmarking visit: an outside organization coming to learn from a program.

    The year is always known; the date only where the source gives it.
    """

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="visits")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="visits"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[validate_year])
    visited_on = models.DateField(_("date of visit"), null=True, blank=True)
    people = models.PositiveIntegerField(_("number of people"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("benchmarking visit")
        verbose_name_plural = _("benchmarking visits")
        # Dated visits first, newest first, then those the sources give only a year for (NULLS
        # LAST said outright: PostgreSQL would put them first, SQLite last).
        ordering = [F("year").desc(), F("visited_on").desc(nulls_last=True), "program", "organization"]
        constraints = [
            models.CheckConstraint(condition=year_range_q("year"), name="visit_year_range"),
            models.CheckConstraint(condition=Q(people__isnull=True) | Q(people__gte=1), name="visit_people_positive"),
            models.UniqueConstraint(
                fields=["program", "organization", "year"],
                condition=Q(visited_on__isnull=True),
                name="visit_unique_undated",
            ),
            models.UniqueConstraint(fields=["program", "organization", "visited_on"], name="visit_unique_dated"),
        ]
        indexes = [
            models.Index(fields=["year", "program"]),
            # Latest visits (home page, feeds): ORDER BY -recorded_at, -id LIMIT n, read off the index
            # even when a bulk import gave thousands of rows the same recorded_at.
            models.Index(fields=["-recorded_at", "-id"], name="visit_recorded_idx"),
            # A region's or kind's visits in a year: the organizations first, then their visits.
            models.Index(fields=["organization", "year"], name="visit_organization_year_idx"),
            # The visit list's order, (year DESC, visited_on DESC NULLS LAST), is indexed by migration
            # 0004 itself: SQLite cannot declare NULLS LAST in an index (its DESC puts them last anyway).
        ]

    def __str__(self):
        return f"{self.organization} → {self.program} ({self.visited_on or self.year})"

    def get_absolute_url(self):
        return reverse("visits:list") + f"?program={self.program.slug}&year={self.year}"

    def clean(self):
        if self.visited_on and self.year and self.visited_on.year != self.year:
            raise ValidationError({"visited_on": _("The date of the visit must fall in the visit's year.")})
