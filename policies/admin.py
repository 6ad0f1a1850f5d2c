from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from jeonju.admin import HistoryTranslationAdmin, both, both_search

from .models import CoreValue, ElectedTerm, Policy, Source


@admin.register(Source)
class SourceAdmin(HistoryTranslationAdmin):
    list_display = ("id", "publisher", "title", "published_on", "year")
    list_display_links = ("publisher", "title")
    list_filter = ("year",)
    search_fields = (*both_search("publisher", "title"), "url")
    date_hierarchy = "published_on"
    fieldsets = ((None, {"fields": (both("publisher"), both("title"), ("published_on", "year"), "url", "note")}),)
    # A link typed without a scheme is taken as https (Django 6.0's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(CoreValue)
class CoreValueAdmin(TranslationAdmin):
    list_display = ("code", "name", "order")
    search_fields = ("code", *both_search("name"))
    fields = ("code", both("name"), "order")


@admin.register(ElectedTerm)
class ElectedTermAdmin(TranslationAdmin):
    list_display = ("number", "name", "start_year", "end_year")
    search_fields = both_search("name")
    fields = ("number", both("name"), ("start_year", "end_year"))


@admin.register(Policy)
class PolicyAdmin(HistoryTranslationAdmin):
    list_display = ("title", "slug", "sector", "status", "start_year", "end_year", "department")
    list_filter = ("sector", "status", "core_values", "terms")
    search_fields = ("slug", *both_search("title", "summary", "department"))
    filter_horizontal = ("core_values", "terms", "sources")
    fieldsets = (
        (None, {"fields": ("slug", both("title"), both("summary"), both("body"))}),
        (
            _("Classification"),
            {"fields": ("sector", "core_values", "terms", "status", ("start_year", "end_year"), both("department"))},
        ),
        (_("Sources"), {"fields": ("sources",)}),
    )
