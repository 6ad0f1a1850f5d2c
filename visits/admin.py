from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from jeonju.admin import HistoryAdmin, HistoryTranslationAdmin, TabularInline, VersionedModelForm, both, both_search
from programs.resources import SafeCSV

from .models import ClosedPeriod, HostLanguage, Organization, Visit, VisitHosting, VisitRequest, Weekday
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
class VisitAdmin(ExportMixin, HistoryTranslationAdmin):
    """A visit's organization is picked by typing its name (autocomplete) or, if it is new,
    created in place with the "+" next to the field."""

    resource_classes = [VisitResource]
    export_formats = [SafeCSV]
    to_encoding = "utf-8-sig"
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

    def has_export_permission(self, request):
        return self.has_view_permission(request)


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


@admin.register(VisitRequest)
class VisitRequestAdmin(HistoryAdmin):
    """The desk's queue: newest first, by state. Contact details are personal data: staff only."""

    list_display = (
        "reference",
        "organization_label",
        "program_list",
        "preferred_1",
        "group_size",
        "state",
        "created_at",
    )
    list_filter = ("state", "programs")
    search_fields = ("reference", "organization__name_ko", "new_organization_name", "contact_name", "contact_email")
    date_hierarchy = "created_at"
    readonly_fields = ("reference", "created_at", "consented_at", "acknowledgement_sent_at", "mail_error")
    autocomplete_fields = ("organization",)
    filter_horizontal = ("programs",)
    fieldsets = (
        (None, {"fields": ("reference", "state", "programs", "created_at", "mail_error")}),
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
            {"fields": ("contact_name", ("contact_email", "contact_phone"), "consented_at", "acknowledgement_sent_at")},
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
        (_("The desk's answer"), {"fields": ("confirmed_start", "host", "meeting_point", "decline_reason")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization").prefetch_related("programs")

    @admin.display(description=_("organization"))
    def organization_label(self, request_obj):
        return request_obj.organization_name

    @admin.display(description=_("programs"))
    def program_list(self, request_obj):
        return ", ".join(str(program) for program in request_obj.programs.all())
