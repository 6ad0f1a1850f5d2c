"""Organizations that come to learn from Jeonju, and their benchmarking visits."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jeonju import search
from policies.models import Source, validate_year, year_range_q
from programs.models import ImportTagged, Program


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


def regions_matching(word: search.Word) -> list[str]:
    """The regions whose name, in Korean or English, the word matches."""
    names = {}
    for language in ("ko", "en"):
        with translation.override(language):
            for region in Region:
                names.setdefault(region.value, []).append(str(region.label))
    return [code for code, texts in names.items() if search.text_matches(texts, word)]


class OrganizationQuerySet(models.QuerySet):
    search_fields = ("name_ko", "name_en", "municipality_ko", "municipality_en")

    def named(self, name: str):
        """The organization of that name in either language, case aside."""
        return self.filter(Q(name_ko__iexact=name) | Q(name_en__iexact=name))

    def ids_matching_word(self, word: search.Word):
        """The ids of the organizations the word matches by name, city or municipality, or
        region: a union, so that each part is read through its own index."""
        by_text = self.filter(search.matches_word(self.search_fields, word)).order_by().values_list("pk", flat=True)
        regions = regions_matching(word)
        if not regions:
            return by_text
        return by_text.union(self.filter(region__in=regions).order_by().values_list("pk", flat=True))

    def ids_matching(self, text: str) -> list[set[int]]:
        """For each word of `text`, the ids of the organizations it matches: one query a word."""
        return [set(self.ids_matching_word(word)) for word in search.words(text)]

    def search(self, text: str):
        """Every word of `text` in the name, the city or municipality, or the region's name."""
        matched = self.ids_matching(text)
        if not matched:
            return self
        return self.filter(pk__in=set.intersection(*matched))


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationKind.choices)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)

    history = HistoricalRecords(bases=[ImportTagged])
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        indexes = [models.Index(fields=["region", "kind"], name="organization_region_kind_idx")]

    def __str__(self):
        return self.name


class VisitQuerySet(models.QuerySet):
    search_fields = ("purpose_ko", "purpose_en")

    def search(self, text: str, organizations: list[set[int]] | None = None):
        """Every word of `text` in the visiting organization (as `OrganizationQuerySet.search`)
        or in the purpose of the visit, in either language. `organizations`: the ids of the
        organizations each word matches, if the caller has them (`ids_matching`).

        The organizations come first, so that the database reads the visits through two indexes
        (the organization's, the purpose's) rather than every visit."""
        query_words = search.words(text)
        if organizations is None:
            organizations = Organization.objects.ids_matching(text)
        queryset = self
        for word, ids in zip(query_words, organizations, strict=True):
            condition = search.matches_word(self.search_fields, word)
            if ids:
                condition |= Q(organization_id__in=sorted(ids))
            queryset = queryset.filter(condition)
        return queryset

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
    # Set when the visit desk recorded the visit (a request marked done); undoing "done" removes it.
    desk_request = models.ForeignKey(
        "VisitRequest",
        verbose_name=_("visit request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="recorded_visits",
    )

    history = HistoricalRecords(bases=[ImportTagged])
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
            # A region's or kind's visits in a year: the organizations first, then their visits. On
            # PostgreSQL it carries what the filtered list counts and sums (its programs, sources and
            # people), so those read the index alone (bench/README.md, the filtered visit list).
            models.Index(
                fields=["organization", "year"],
                include=["program", "source", "people"],
                name="visit_organization_year_idx",
            ),
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


# The visit desk: how a program receives visits, and the requests other bodies send.


def new_secret() -> str:
    """A secret for an address that is its own key (a status page, a calendar, a follow-up)."""
    return secrets.token_urlsafe(24)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class HostLanguage(models.TextChoices):
    KOREAN = "ko", _("Korean")
    ENGLISH = "en", _("English")
    CHINESE = "zh", _("Chinese")
    JAPANESE = "ja", _("Japanese")


def validate_weekdays(value):
    if not isinstance(value, list) or any(day not in Weekday.values for day in value):
        raise ValidationError(_("Weekdays are numbers from 0 (Monday) to 6 (Sunday)."))


def validate_languages(value):
    if not isinstance(value, list) or any(code not in HostLanguage.values for code in value):
        raise ValidationError(_("Unknown language."))


class VisitHosting(models.Model):
    """How a program receives benchmarking visits, as its staff set it. What nobody has said stays
    empty, and the public panel says it is not yet known rather than guessing."""

    program = models.OneToOneField(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, primary_key=True, related_name="hosting"
    )
    takes_visits = models.BooleanField(_("takes visit requests"), default=False)
    groups_per_day = models.PositiveSmallIntegerField(_("groups a day at most"), null=True, blank=True)
    max_group_size = models.PositiveSmallIntegerField(_("largest group"), null=True, blank=True)
    weekdays = models.JSONField(_("weekdays it receives"), default=list, blank=True, validators=[validate_weekdays])
    opens_at = models.TimeField(_("receives from"), null=True, blank=True)
    closes_at = models.TimeField(_("receives until"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("days of notice needed"), null=True, blank=True)
    languages = models.JSONField(
        _("languages it can host in"), default=list, blank=True, validators=[validate_languages]
    )
    host_department = models.CharField(_("host department"), max_length=200, blank=True)
    host_phone = models.CharField(_("host's public phone"), max_length=40, blank=True)
    host_email = models.EmailField(_("host's public e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Staff who host this program's visits: a user in the "visit hosts" role sees and handles only
    # the requests for the programs they host.
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("hosts"), blank=True, related_name="hosted_programs"
    )
    # The secret of the program's iCalendar feed of accepted visits (for the hosts' calendars).
    calendar_token = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)

    history = HistoricalRecords(excluded_fields=["calendar_token"])

    class Meta:
        verbose_name = _("visit hosting")
        verbose_name_plural = _("visit hosting")
        ordering = ["program"]
        constraints = [
            models.CheckConstraint(
                condition=Q(groups_per_day__isnull=True) | Q(groups_per_day__gte=1), name="hosting_groups_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_group_size__isnull=True) | Q(max_group_size__gte=1), name="hosting_size_positive"
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="hosting_hours_order",
            ),
        ]

    def __str__(self):
        return str(self.program)

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The end of the hours must come after their start.")})

    def weekday_labels(self) -> list[str]:
        return [str(Weekday(day).label) for day in sorted(self.weekdays)]

    def language_labels(self) -> list[str]:
        return [str(HostLanguage(code).label) for code in self.languages]

    def refusals(self, start, group_size: int | None, today, booked: int = 0) -> list[str]:
        """Why a visit starting at `start` (an aware or naive local datetime) cannot be taken, in
        words for the requester; `booked` is the groups already accepted that day."""
        problems = []
        if not self.takes_visits:
            return [_("%(program)s does not take visit requests at present.") % {"program": self.program}]
        day = start.date()
        if self.weekdays and start.weekday() not in self.weekdays:
            problems.append(
                _("%(program)s receives visits on %(days)s only.")
                % {"program": self.program, "days": ", ".join(self.weekday_labels())}
            )
        if self.opens_at and self.closes_at and not (self.opens_at <= start.time() < self.closes_at):
            problems.append(
                _("%(program)s receives visits from %(opens)s to %(closes)s.")
                % {
                    "program": self.program,
                    "opens": self.opens_at.strftime("%H:%M"),
                    "closes": self.closes_at.strftime("%H:%M"),
                }
            )
        closed = next((c for c in self.closed_days.all() if c.first_day <= day <= c.last_day), None)
        if closed is not None:
            problems.append(
                _("%(program)s is closed on %(day)s%(reason)s.")
                % {
                    "program": self.program,
                    "day": day.isoformat(),
                    "reason": f" ({closed.reason})" if closed.reason else "",
                }
            )
        if self.notice_days is not None and (day - today).days < self.notice_days:
            problems.append(
                _("%(program)s needs %(days)s days' notice: the earliest date is %(earliest)s.")
                % {
                    "program": self.program,
                    "days": self.notice_days,
                    "earliest": (today + datetime.timedelta(days=self.notice_days)).isoformat(),
                }
            )
        if self.max_group_size and group_size and group_size > self.max_group_size:
            problems.append(
                _("%(program)s can host groups of up to %(size)s people.")
                % {"program": self.program, "size": self.max_group_size}
            )
        if self.groups_per_day and booked >= self.groups_per_day:
            problems.append(
                _("%(program)s is fully booked on %(day)s.") % {"program": self.program, "day": day.isoformat()}
            )
        return problems


class ClosedPeriod(models.Model):
    """Days a program receives no visits (holidays, works, events); one day or a run of days."""

    hosting = models.ForeignKey(
        VisitHosting, verbose_name=_("visit hosting"), on_delete=models.CASCADE, related_name="closed_days"
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="closed_period_order"),
        ]

    def __str__(self):
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"

    def clean(self):
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("The last day cannot come before the first.")})


class RequestState(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


# What a requester may still cancel: a request the desk has not closed.
CANCELLABLE_STATES = (RequestState.RECEIVED, RequestState.UNDER_REVIEW, RequestState.ACCEPTED)


class VisitRequest(models.Model):
    """A body's request for a benchmarking visit to one or more programs. The contact's name,
    e-mail and phone are personal data: they are shown to staff only, never on a public page."""

    reference = models.CharField(_("reference number"), max_length=20, unique=True, editable=False)
    status_token = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    state = models.CharField(_("state"), max_length=20, choices=RequestState.choices, default=RequestState.RECEIVED)
    programs = models.ManyToManyField(Program, verbose_name=_("programs"), related_name="visit_requests")
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_requests",
    )
    # A body not yet known: its name, kind and region, for the clerk to create it on acceptance.
    new_organization_name = models.CharField(_("new organization's name"), max_length=200, blank=True)
    new_organization_kind = models.CharField(
        _("new organization's kind"), max_length=30, choices=OrganizationKind.choices, blank=True
    )
    new_organization_region = models.CharField(
        _("new organization's region"), max_length=20, choices=Region.choices, blank=True
    )
    new_organization_municipality = models.CharField(_("new organization's municipality"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_email = models.EmailField(_("contact e-mail"), max_length=200)
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    preferred_1 = models.DateTimeField(_("first preferred date and time"))
    preferred_2 = models.DateTimeField(_("second preferred date and time"), null=True, blank=True)
    preferred_3 = models.DateTimeField(_("third preferred date and time"), null=True, blank=True)
    group_size = models.PositiveSmallIntegerField(_("group size"))
    purpose = models.TextField(_("purpose"), max_length=1000)
    topics = models.TextField(_("topics to learn"), max_length=1000, blank=True)
    visit_language = models.CharField(_("language of the visit"), max_length=2, choices=HostLanguage.choices)
    requester_language = models.CharField(_("language of the requester's e-mails"), max_length=2, default="ko")
    consented_at = models.DateTimeField(_("consent to the collection of personal data given at"))
    # The desk's answer.
    confirmed_start = models.DateTimeField(_("confirmed date and time"), null=True, blank=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    meeting_point = models.CharField(_("meeting point"), max_length=300, blank=True)
    decline_reason = models.TextField(_("reason for declining"), max_length=1000, blank=True)
    alternative_dates = models.TextField(
        _("alternative dates offered"), max_length=1000, blank=True, help_text=_("Sent with a decline.")
    )
    people_came = models.PositiveSmallIntegerField(
        _("people who came"), null=True, blank=True, help_text=_("Needed to mark the request done.")
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    acknowledgement_sent_at = models.DateTimeField(_("acknowledgement sent at"), null=True, blank=True)
    mail_error = models.CharField(_("last e-mail failure"), max_length=300, blank=True)
    personal_data_erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["status_token"])

    class Meta:
        verbose_name = _("visit request")
        verbose_name_plural = _("visit requests")
        ordering = ["-created_at", "-pk"]
        # Without it, a user sees only the requests for the programs they host.
        permissions = [("handle_visitrequest", _("Can handle visit requests for every program"))]
        constraints = [
            models.CheckConstraint(condition=Q(group_size__gte=1), name="visit_request_group_positive"),
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | ~Q(new_organization_name=""),
                name="visit_request_has_organization",
            ),
        ]
        indexes = [models.Index(fields=["state", "-created_at"], name="visit_request_queue_idx")]

    def __str__(self):
        return self.reference or str(_("visit request"))

    @property
    def organization_name(self) -> str:
        return str(self.organization) if self.organization_id else self.new_organization_name

    def preferred_times(self) -> list[datetime.datetime]:
        return [when for when in (self.preferred_1, self.preferred_2, self.preferred_3) if when]

    @property
    def cancellable(self) -> bool:
        return self.state in CANCELLABLE_STATES

    @property
    def visit_time(self) -> datetime.datetime:
        """When the visit was (or would have been): the confirmed time, else the latest preferred."""
        return self.confirmed_start or max(self.preferred_times())

    def get_status_url(self) -> str:
        return reverse("visits:request-status", args=[self.status_token])


class FollowUp(models.Model):
    """What a visiting body took home, asked for a set time after its visit (send_visit_followups).
    Shown on the program page only when the body allowed it and staff approved it."""

    request = models.OneToOneField(
        VisitRequest, verbose_name=_("visit request"), on_delete=models.CASCADE, related_name="follow_up"
    )
    token = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    sent_at = models.DateTimeField(_("asked at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    took_home = models.TextField(_("what they took home or adopted"), max_length=2000, blank=True)
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    may_publish = models.BooleanField(_("may be published with the organization's name"), default=False)
    approved = models.BooleanField(_("approved for the program page"), default=False)

    history = HistoricalRecords(excluded_fields=["token"])

    class Meta:
        verbose_name = _("visit follow-up")
        verbose_name_plural = _("visit follow-ups")
        ordering = ["-answered_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved=False) | Q(may_publish=True, answered_at__isnull=False),
                name="follow_up_approved_only_if_published",
            ),
        ]

    def __str__(self):
        return f"{self.request}"

    def get_absolute_url(self):
        return reverse("visits:follow-up", args=[self.token])
