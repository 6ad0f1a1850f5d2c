"""What every app's admin shares: the site's titles, the base class that puts history and
Korean/English fields together, and the upload-size check of CSV imports.

The base classes compose three libraries by MRO. django-import-export's mixins come first
(they only add views, URLs and the change-list template), then simple_history's
SimpleHistoryAdmin (history and revert views), then modeltranslation's TranslationAdmin
(form fields for each language): each calls super() and overrides different hooks, so all
three apply. Bilingual fields are placed side by side, Korean first, by naming both language
fields on one fieldset line, e.g. ("name_ko", "name_en").
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

admin.site.site_header = _("Jeonju policy portal · staff")
admin.site.site_title = _("Jeonju policy portal admin")
admin.site.index_title = _("Policies, programs, visits and figures")


def both(field: str) -> tuple[str, str]:
    """The Korean and English fields of a bilingual field, for one fieldset line."""
    return (f"{field}_ko", f"{field}_en")


def both_search(*fields: str) -> tuple[str, ...]:
    """search_fields over both languages of bilingual fields."""
    return tuple(f"{field}_{lang}" for field in fields for lang in ("ko", "en"))


class HistoryTranslationAdmin(SimpleHistoryAdmin, TranslationAdmin):
    """An admin with change history and bilingual fields.

    simple_history's history page lists who changed what and when, with each field's old and
    new value, and opens any earlier version to restore ("revert") it.
    """


class TabularInline(TranslationTabularInline):
    extra = 0
    show_change_link = True


class StackedInline(TranslationStackedInline):
    extra = 0


class SizeLimitedImportForm(ImportForm):
    """django-import-export's upload form, refusing a file over CSV_UPLOAD_MAX_BYTES before
    anything reads it."""

    def clean_import_file(self):
        from programs.importing import too_big_message

        upload = self.cleaned_data["import_file"]
        limit = settings.CSV_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(too_big_message(upload.size, limit), code="too_big")
        return upload
