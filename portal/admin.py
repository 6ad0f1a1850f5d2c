"""The site's own texts in the admin: its contact details (one row) and its policy pages (one row
each). The migrations create the rows; staff change them but neither add nor delete them, since
every page's header and footer link to them."""

from django.contrib import admin

from jeonju.admin import HistoryTranslationAdmin, both

from .models import SiteContact, SitePage


class SiteTextAdmin(HistoryTranslationAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteContact)
class SiteContactAdmin(SiteTextAdmin):
    list_display = ("department", "owner", "phone", "email", "website")
    fields = (both("owner"), both("department"), both("address"), ("phone", "email"), "website")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteContact.objects.exists()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"  # "www.jeonju.go.kr" typed without a scheme
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(SitePage)
class SitePageAdmin(SiteTextAdmin):
    list_display = ("title", "slug", "updated_at")
    fields = ("slug", both("title"), both("body"), "updated_at")
    readonly_fields = ("updated_at",)

    def get_readonly_fields(self, request, obj=None):
        # The address of a page is fixed: the footer links to it by name.
        return (*super().get_readonly_fields(request, obj), *(("slug",) if obj is not None else ()))

    def has_add_permission(self, request):
        missing = set(SitePage.Slug.values) - set(SitePage.objects.values_list("slug", flat=True))
        return super().has_add_permission(request) and bool(missing)
