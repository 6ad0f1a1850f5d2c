import datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from jeonju.admin import HistoryAdmin, HistoryTranslationAdmin, TabularInline, VersionedModelForm, both, both_search
from programs.admin import MetricImportExportMixin
from programs.models import Program

from . import desk
from .models import (
    ClosedPeriod,
    FollowUp,
    HostLanguage,
    Organization,
    RequestState,
    Visit,
    VisitHosting,
    VisitRequest,
    Weekday,
)
from .resources import VisitResource


class VisitInline(TabularInline):
    model = Visit
    fk_name = "organization"
    fields = ("program", "year", "visited_on", "people", *both("purpose"), "source")
    autocomplete_fields = ("program",)


@admin.register(Organization)
class OrganizationAdmin(HistoryTranslationAdmin):
    list_display = ("name", "kind", "region", "municipality", "visit_count")
    list_filter = ("kind", "region")
    search_fields = both_search("name", "municipality")
    fields = (both("name"), ("kind", "region"), both("municipality"))
    inlines = (VisitInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(visit_total=Count("visits"))

    @admin.display(description=_("recorded visits"), ordering="visit_total")
    def visit_count(self, organization):
        return organization.visit_total


@admin.register(Visit)
class VisitAdmin(MetricImportExportMixin, HistoryTranslationAdmin):
    """A visit's organization is picked by typing its name (autocomplete) or, if it is new,
    created in place with the "+" next to the field. A visitor log comes in by Import, with the
    metric import's upload → preview → confirm (visits.importing behind it)."""

    resource_classes = [VisitResource]
    import_template_name = "admin/visits/visit/import.html"
    list_display = ("organization", "program", "year", "visited_on", "people", "source")
    list_filter = ("year", "organization__kind", "organization__region", "program")
    list_select_related = ("organization", "program", "source")
    search_fields = (
        *both_search("purpose"),
        "organization__name_ko",
        "organization__name_en",
        "program__slug",
        "program__name_ko",
        "program__name_en",
    )
    date_hierarchy = "visited_on"
    autocomplete_fields = ("program", "organization")
    fields = ("program", "organization", ("year", "visited_on"), "people", both("purpose"), "source")


class VisitHostingForm(VersionedModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("weekdays it receives"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("languages it can host in"),
        choices=HostLanguage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = VisitHosting
        fields = ("program", "weekdays", "languages")  # the admin's fieldsets add the rest


class ClosedPeriodInline(TabularInline):
    model = ClosedPeriod
    fields = ("first_day", "last_day", "reason")


@admin.register(VisitHosting)
class VisitHostingAdmin(HistoryTranslationAdmin):
    """How each program receives visits: the visit desk's settings, and the public panel's text."""

    form = VisitHostingForm
    list_display = ("program", "takes_visits", "groups_per_day", "max_group_size", "notice_days", "host_department")
    list_filter = ("takes_visits",)
    list_select_related = ("program",)
    search_fields = ("program__name_ko", "program__name_en", *both_search("host_department"))
    autocomplete_fields = ("program",)
    fieldsets = (
        (None, {"fields": ("program", "takes_visits")}),
        (_("Capacity and notice"), {"fields": (("groups_per_day", "max_group_size"), "notice_days")}),
        (_("Days and hours"), {"fields": ("weekdays", ("opens_at", "closes_at"))}),
        (_("Host"), {"fields": ("languages", both("host_department"), ("host_phone", "host_email"), both("address"))}),
    )
    inlines = (ClosedPeriodInline,)
    filter_horizontal = ("hosts",)
    readonly_fields = ("calendar_feed",)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        return [*fieldsets[:-1], (_("Hosts and their calendar"), {"fields": ("hosts", "calendar_feed")}), fieldsets[-1]]

    @admin.display(description=_("calendar feed (iCalendar)"))
    def calendar_feed(self, hosting):
        if not hosting.pk:
            return "—"
        url = settings.SITE_URL.rstrip("/") + reverse("visits:calendar", args=[hosting.calendar_token])
        return format_html(
            '<code>{}</code><br><span class="help">{}</span>',
            url,
            _("Add this address to the hosts' calendars: it lists the accepted visits. Keep it private."),
        )


class VisitRequestForm(VersionedModelForm):
    """The desk's moves: each state change checked against TRANSITIONS and what it needs (a date to
    accept, a reason to decline, a head count to mark done); accepting locks the day's slots."""

    class Meta:
        model = VisitRequest
        fields = ("state", "programs")

    def clean(self):
        data = super().clean()
        old = self.initial.get("state")
        new = data.get("state")
        if not new or old == new and old not in (RequestState.ACCEPTED,):
            return data
        if old != new and new not in desk.TRANSITIONS.get(old, set()):
            self.add_error(
                "state",
                _("A request cannot go from “%(old)s” to “%(new)s”.")
                % {"old": RequestState(old).label, "new": RequestState(new).label},
            )
            return data
        programs = list(data.get("programs") or [])
        start = data.get("confirmed_start")
        if new in (RequestState.ACCEPTED, RequestState.DONE) and not start:
            self.add_error("confirmed_start", _("Give the confirmed date and time."))
        if new == RequestState.DECLINED and not data.get("decline_reason"):
            self.add_error("decline_reason", _("Give the reason: it is sent to the requester."))
        if new == RequestState.DONE:
            if data.get("people_came") is None:
                self.add_error("people_came", _("Give the number of people who came."))
            if start and start > timezone.now():
                self.add_error("state", _("A visit can be marked done only once its date has passed."))
        if start and new == RequestState.ACCEPTED and not self.errors:
            try:
                desk.confirm_slot(self.instance, programs, start)
            except ValidationError as error:
                self.add_error("confirmed_start", error)
        if new == RequestState.DONE and not self.errors:
            for problem in desk.visit_problems(self.instance, programs, start):
                self.add_error("state", problem)
        return data


class RequestStateFilter(admin.SimpleListFilter):
    """Open requests first: the queue a clerk works through."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Waiting (received or under review)")), *RequestState.choices]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(state__in=(RequestState.RECEIVED, RequestState.UNDER_REVIEW))
        if self.value():
            return queryset.filter(state=self.value())
        return queryset


@admin.register(VisitRequest)
class VisitRequestAdmin(HistoryAdmin):
    """The desk's queue, newest first, with the warnings to read before accepting. Contact details
    are personal data: staff only, erased after the retention period."""

    form = VisitRequestForm
    list_display = (
        "reference",
        "organization_label",
        "program_list",
        "preferred_1",
        "group_size",
        "state",
        "confirmed_start",
        "mail_failed",
        "created_at",
    )
    list_filter = (RequestStateFilter, "programs")
    search_fields = ("reference", "organization__name_ko", "new_organization_name", "contact_name", "contact_email")
    date_hierarchy = "created_at"
    readonly_fields = (
        "reference",
        "desk_warnings",
        "created_at",
        "consented_at",
        "acknowledgement_sent_at",
        "mail_error",
        "recorded",
        "status_page",
    )
    autocomplete_fields = ("organization",)
    filter_horizontal = ("programs",)
    actions = ("resend_mail",)
    fieldsets = (
        (None, {"fields": ("reference", "desk_warnings", "state", "programs", "created_at", "status_page")}),
        (
            _("The desk's answer"),
            {
                "fields": (
                    "confirmed_start",
                    ("host", "meeting_point"),
                    "decline_reason",
                    "alternative_dates",
                    "people_came",
                    "recorded",
                )
            },
        ),
        (
            _("Organization"),
            {
                "fields": (
                    "organization",
                    ("new_organization_name", "new_organization_kind"),
                    ("new_organization_region", "new_organization_municipality"),
                )
            },
        ),
        (
            _("Contact person"),
            {
                "fields": (
                    "contact_name",
                    ("contact_email", "contact_phone"),
                    "consented_at",
                    ("acknowledgement_sent_at", "mail_error"),
                )
            },
        ),
        (
            _("The request"),
            {
                "fields": (
                    ("preferred_1", "preferred_2", "preferred_3"),
                    ("group_size", "visit_language"),
                    "purpose",
                    "topics",
                )
            },
        ),
    )

    def has_add_permission(self, request):
        return False  # requests come in through the public form (a phone request: fill it in for them)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("organization").prefetch_related("programs")
        if request.user.is_superuser or request.user.has_perm("visits.handle_visitrequest"):
            return queryset
        return queryset.filter(programs__hosting__hosts=request.user).distinct()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "programs" and not (
            request.user.is_superuser or request.user.has_perm("visits.handle_visitrequest")
        ):
            kwargs["queryset"] = Program.objects.filter(hosting__hosts=request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("organization"))
    def organization_label(self, request_obj):
        return request_obj.organization_name

    @admin.display(description=_("programs"))
    def program_list(self, request_obj):
        return ", ".join(str(program) for program in request_obj.programs.all())

    @admin.display(description=_("e-mail failed"), boolean=True)
    def mail_failed(self, request_obj):
        return bool(request_obj.mail_error)

    @admin.display(description=_("before accepting"))
    def desk_warnings(self, request_obj):
        if not request_obj.pk:
            return "—"
        found = desk.warnings(request_obj, list(request_obj.programs.all()))
        if not found:
            return _("Nothing to warn about.")
        return format_html('<ul class="errorlist">{}</ul>', format_html_join("", "<li>{}</li>", ((w,) for w in found)))

    @admin.display(description=_("visits recorded"))
    def recorded(self, request_obj):
        visits = list(request_obj.recorded_visits.select_related("program"))
        return ", ".join(f"{visit.program} ({visit.visited_on})" for visit in visits) or "—"

    @admin.display(description=_("requester's status page"))
    def status_page(self, request_obj):
        if not request_obj.pk:
            return "—"
        return format_html('<a href="{0}">{0}</a>', request_obj.get_status_url())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        request_obj = form.instance
        old, new = form.initial.get("state"), request_obj.state
        moved = new == RequestState.ACCEPTED and "confirmed_start" in form.changed_data
        if old == new and not moved:
            return
        if old == RequestState.DONE:
            desk.remove_recorded_visits(request_obj)
        if new == RequestState.DONE:
            desk.record_visits(request_obj, list(request_obj.programs.all()))
        base = request.build_absolute_uri("/")
        transaction.on_commit(lambda: self._notify(request, request_obj, base))

    def _notify(self, request, request_obj, base):
        status_url = desk.address(base, request_obj, request_obj.get_status_url)
        if not desk.notify(request_obj, status_url) and request_obj.mail_error:
            self.message_user(
                request,
                _("The e-mail to the requester could not be sent (%(error)s). Use “Send the e-mail again”.")
                % {"error": request_obj.mail_error},
                messages.WARNING,
            )

    @admin.action(description=_("Send the e-mail for the current state again"), permissions=["change"])
    def resend_mail(self, request, queryset):
        base = request.build_absolute_uri("/")
        sent = failed = 0
        for request_obj in queryset.prefetch_related("programs"):
            ok = (
                desk.send_acknowledgement(request_obj, desk.address(base, request_obj, request_obj.get_status_url))
                if request_obj.state == RequestState.RECEIVED
                else desk.notify(request_obj, desk.address(base, request_obj, request_obj.get_status_url))
            )
            sent, failed = (sent + 1, failed) if ok else (sent, failed + 1)
        self.message_user(
            request,
            _("%(sent)s e-mail(s) sent, %(failed)s failed.") % {"sent": sent, "failed": failed},
            messages.SUCCESS if not failed else messages.WARNING,
        )

    def get_urls(self):
        return [
            path("calendar/", self.admin_site.admin_view(self.calendar_view), name="visits_visitrequest_calendar"),
            *super().get_urls(),
        ]

    def calendar_view(self, request):
        """Accepted visits by week, for all programs or one (?program=slug)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            week = datetime.date.fromisoformat(request.GET.get("week", ""))
        except ValueError:
            week = timezone.localdate()
        monday = week - datetime.timedelta(days=week.weekday())
        days = [monday + datetime.timedelta(days=n) for n in range(7)]
        booked = self.get_queryset(request).filter(
            state__in=(RequestState.ACCEPTED, RequestState.DONE),
            confirmed_start__date__gte=days[0],
            confirmed_start__date__lte=days[-1],
        )
        program = request.GET.get("program")
        if program:
            booked = booked.filter(programs__slug=program)
        by_day = {day: [] for day in days}
        for request_obj in booked.order_by("confirmed_start"):
            by_day[timezone.localtime(request_obj.confirmed_start).date()].append(request_obj)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Calendar of accepted visits"),
            "days": list(by_day.items()),
            "previous_week": (monday - datetime.timedelta(days=7)).isoformat(),
            "next_week": (monday + datetime.timedelta(days=7)).isoformat(),
            "programs": Program.objects.filter(hosting__takes_visits=True),
            "program": program or "",
        }
        return TemplateResponse(request, "admin/visits/visitrequest/calendar.html", context)


@admin.register(FollowUp)
class FollowUpAdmin(HistoryAdmin):
    """What visitors took home: approved answers that may be published appear on the program page."""

    list_display = ("request", "organization", "sent_at", "answered_at", "may_publish", "approved")
    list_filter = ("approved", "may_publish")
    list_select_related = ("request__organization",)
    readonly_fields = ("request", "sent_at", "answered_at", "took_home", "topics", "may_publish")
    fields = ("request", "sent_at", "answered_at", "took_home", "topics", "may_publish", "approved")
    actions = ("approve",)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("organization"))
    def organization(self, follow_up):
        return follow_up.request.organization_name

    @admin.action(description=_("Approve for the program page"), permissions=["change"])
    def approve(self, request, queryset):
        approved = 0
        for follow_up in queryset.filter(may_publish=True, answered_at__isnull=False, approved=False):
            follow_up.approved = True
            follow_up.save(update_fields=["approved"])
            approved += 1
        self.message_user(request, _("%(n)s answer(s) approved.") % {"n": approved})
