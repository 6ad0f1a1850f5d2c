from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from jeonju.admin import HistoryTranslationAdmin, TabularInline, both, both_search
from programs.resources import SafeCSV

from .models import Organization, Visit
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
