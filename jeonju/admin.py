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


def complete_bilingual_history() -> None:
    """Make history and restore carry both languages.

    jeonju.bilingual registers the Korean/English fields on each historical model, so every
    history row stores them; but simple_history fixed the list of fields it diffs and
    restores (`tracked_fields`, and the fields `.instance` copies) when it built the
    historical model, before modeltranslation added name_ko/name_en. Without this a
    restore would bring back the Korean text and drop the English, and the history page
    would not show English edits. Runs once, when the admin loads (Django always loads it
    at start-up, through the admin app's autodiscover).
    """
    from modeltranslation.translator import translator
    from modeltranslation.utils import build_localized_fieldname

    for model in translator.get_registered_models(abstract=False):
        history = getattr(model, "history", None)
        historical = getattr(history, "model", None)
        if historical is None or historical is model or getattr(historical, "_bilingual_history", False):
            continue
        options = translator.get_options_for_model(model)
        extra = [
            model._meta.get_field(build_localized_fieldname(name, lang))
            for name in options.fields
            for lang in settings.MODELTRANSLATION_LANGUAGES
        ]
        known = {f.name for f in historical.tracked_fields}
        historical.tracked_fields = [*historical.tracked_fields, *(f for f in extra if f.name not in known)]
        copy_instance = historical.instance.fget

        def instance(record, _copy=copy_instance, _extra=tuple(extra)):
            obj = _copy(record)
            for field in _extra:
                setattr(obj, field.attname, getattr(record, field.attname))
            return obj

        historical.instance = property(instance)
        historical._bilingual_history = True


complete_bilingual_history()

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
