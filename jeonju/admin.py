"""What every app's admin shares: the site's titles, the base class that puts history and
Korean/English fields together, the edit-conflict check of every history-tracked form, and
the upload-size check of CSV imports.

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
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from jeonju.csvio import too_big_message
from jeonju.money import format_krw

admin.site.site_header = _("Jeonju policy portal · staff")
admin.site.site_title = _("Jeonju policy portal admin")
admin.site.index_title = _("Policies, programs, visits and figures")


def both(field: str) -> tuple[str, str]:
    """The Korean and English fields of a bilingual field, for one fieldset line."""
    return (f"{field}_ko", f"{field}_en")


def both_search(*fields: str) -> tuple[str, ...]:
    """search_fields over both languages of bilingual fields."""
    return tuple(f"{field}_{lang}" for field in fields for lang in ("ko", "en"))


def amount_reading(amount) -> str:
    """An amount in won as the admin's reader reads it ("9,008억 원"), for list columns."""
    return "" if amount is None else format_krw(amount, (get_language() or "ko")[:2])


class AmountInput(forms.NumberInput):
    """A number input for an amount in won with its reading beside it ("9,008억 원"), written
    here when the page opens and kept up as the clerk types by static/js/admin-amount.js."""

    def __init__(self, attrs=None):
        super().__init__({"class": "amount-input", **(attrs or {})})

    class Media:
        js = ["js/admin-amount.js"]

    def render(self, name, value, attrs=None, renderer=None):
        try:
            reading = amount_reading(int(value)) if value not in (None, "") else ""
        except (TypeError, ValueError):
            reading = ""
        output = format_html('<output class="amount-reading" aria-live="polite">{}</output>', reading)
        return super().render(name, value, attrs, renderer) + output


VERSION_FIELD = "edit_version"


def latest_history_id(model, pk) -> int | None:
    records = model.history.model.objects.filter(**{model._meta.pk.attname: pk})
    return records.order_by("-history_id").values_list("history_id", flat=True).first()


def _shown(value) -> str:
    return "—" if value in (None, "") else str(value)


def _describe_change(record) -> str:
    """One line for the clerk: who changed the row, when, and each field's old → new value."""
    who = str(record.history_user) if record.history_user else gettext("no staff account")
    if record.history_change_reason:
        who = f"{who} ({record.history_change_reason})"
    when = formats.date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
    line = gettext("Changed by %(who)s at %(when)s") % {"who": who, "when": when}
    previous = record.prev_record
    if previous is None:
        return line
    opts = record.instance_type._meta
    changes = [
        f"{opts.get_field(c.field).verbose_name}: {_shown(c.old)} → {_shown(c.new)}"
        for c in record.diff_against(previous).changes
    ]
    return f"{line}: {'; '.join(changes)}" if changes else line


class VersionedModelForm(forms.ModelForm):
    """A change form that refuses to overwrite a row changed since the form was opened.

    The form carries the id of the row's latest history record when it was opened (every save,
    in the admin or by an import, writes one). On save, if the row has a newer record, nothing
    is written and the clerk is shown who changed what since; the form then carries the new
    version, so saving again, having seen the change, is a deliberate overwrite.
    """

    edit_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._tracked():
            self.fields[VERSION_FIELD].initial = latest_history_id(type(self.instance), self.instance.pk)

    def _tracked(self) -> bool:
        return self.instance.pk is not None and hasattr(type(self.instance), "history")

    def clean(self):
        cleaned = super().clean()
        if not self._tracked() or self.add_prefix(VERSION_FIELD) not in self.data:
            return cleaned
        model = type(self.instance)
        # Lock the row, so that no import or other clerk writes between this check and the save.
        list(model._default_manager.select_for_update().filter(pk=self.instance.pk).values_list("pk"))
        opened = cleaned.get(VERSION_FIELD)
        current = latest_history_id(model, self.instance.pk)
        if current is None or current == opened:
            return cleaned
        newer = model.history.filter(**{model._meta.pk.attname: self.instance.pk}, history_id__gt=opened or 0)
        lines = [_describe_change(record) for record in newer.order_by("history_id")[:10]]
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = str(current)
        raise forms.ValidationError(
            [
                gettext("This record was changed after you opened it, so your changes were not saved."),
                *lines,
                gettext("Check the values below, then save again to keep yours."),
            ],
            code="edit_conflict",
        )


def _with_version_field(fieldsets):
    if VERSION_FIELD in flatten_fieldsets(fieldsets):
        return fieldsets
    *head, (name, options) = fieldsets
    return [*head, (name, {**options, "fields": (*options["fields"], VERSION_FIELD)})]


class VersionedFormMixin:
    form = VersionedModelForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and not self._may_change(request, obj):
            return fieldsets  # a read-only page would show the version as a field
        return _with_version_field(fieldsets)

    def _may_change(self, request, obj) -> bool:
        owner = self.admin_site._registry.get(getattr(self, "parent_model", None))
        if owner is not None and not owner.has_change_permission(request, obj):
            return False  # an inline on a page its row's admin shows read-only
        return self.has_change_permission(request, obj)


class HistoryAdmin(VersionedFormMixin, SimpleHistoryAdmin):
    """An admin with change history.

    simple_history's history page lists who changed what and when, with each field's old and
    new value, and opens any earlier version to restore ("revert") it. Restoring is a change:
    simple_history only hides the button from those who may just view, so the POST is refused
    here for anyone without the change permission.
    """

    def _refuse_malformed(self, object_id: str, version_id: str | None = None) -> None:
        """A hand-edited address (`18/change/history/`, a word for a number) names no row: 404,
        where simple_history would pass it on to the database and fail."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                int(version_id)
        except (ValidationError, ValueError):
            raise Http404(gettext("There is no such record.")) from None

    def history_view(self, request, object_id, extra_context=None):
        self._refuse_malformed(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._refuse_malformed(object_id, version_id)
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            # A deleted row comes back through its history: that is adding it again.
            allowed = (
                self.has_change_permission(request, obj)
                if obj is not None
                else self.has_add_permission(request) and self.has_change_permission(request)
            )
            if not allowed or self.revert_disabled(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class HistoryTranslationAdmin(HistoryAdmin, TranslationAdmin):
    """An admin with change history and bilingual fields."""


class TabularInline(VersionedFormMixin, TranslationTabularInline):
    extra = 0
    show_change_link = True


class StackedInline(VersionedFormMixin, TranslationStackedInline):
    extra = 0


class SizeLimitedImportForm(ImportForm):
    """django-import-export's upload form, refusing a file over CSV_UPLOAD_MAX_BYTES before
    anything reads it."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.CSV_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(too_big_message(upload.size, limit), code="too_big")
        return upload
