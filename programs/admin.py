from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin

from jeonju.admin import (
    AmountInput,
    HistoryTranslationAdmin,
    SizeLimitedImportForm,
    TabularInline,
    amount_reading,
    both,
    both_search,
)

from . import batches
from .models import Award, BudgetLine, ImportBatch, ImportKind, Indicator, Milestone, Program, Unit, YearlyMetric
from .resources import BudgetLineResource, SafeCSV, UploadedCSV, YearlyMetricResource
from .uploads import GONE, NOT_YOURS, DatabaseUploadStorage, UploadConfirmForm, UploadGone, confirm_token

PROGRAM_SEARCH = ("program__slug", "program__name_ko", "program__name_en")


def _swapped(fields, names: dict):
    return tuple(_swapped(f, names) if isinstance(f, list | tuple) else names.get(f, f) for f in fields)


class BudgetAmounts:
    """A budget line's amounts with their reading in 억/만 ("9,008억 원"): beside the inputs, in the
    list, and in place of the bare number on a page its viewer may only read."""

    # its only big integers
    formfield_overrides = {models.BigIntegerField: {"widget": AmountInput}}
    READINGS = {"planned_amount": "planned", "executed_amount": "executed"}

    @admin.display(description=_("planned amount"), ordering="planned_amount")
    def planned(self, line):
        return amount_reading(line.planned_amount)

    @admin.display(description=_("executed amount"), ordering="executed_amount")
    def executed(self, line):
        return amount_reading(line.executed_amount)

    def _read_only(self, request, obj) -> bool:
        return obj is not None and not self._may_change(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, *self.READINGS.values()) if self._read_only(request, obj) else fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._read_only(request, obj):
            return fieldsets
        readings = self.READINGS
        return [(name, {**options, "fields": _swapped(options["fields"], readings)}) for name, options in fieldsets]


class MilestoneInline(TabularInline):
    model = Milestone
    fields = ("year", "month", *both("title"), "source")


class AwardInline(TabularInline):
    model = Award
    fields = (*both("name"), *both("awarded_by"), "year", "month", "source")


class BudgetLineInline(BudgetAmounts, TabularInline):
    model = BudgetLine
    fields = ("start_year", "end_year", "funding_source", "planned_amount", "executed_amount", "source", *both("note"))


class YearlyMetricInline(TabularInline):
    model = YearlyMetric
    fields = ("indicator", "year", "kind", "value", "approximate", "as_of", "partial", "source", *both("note"))
    autocomplete_fields = ("indicator",)


@admin.register(Program)
class ProgramAdmin(HistoryTranslationAdmin):
    list_display = ("name", "slug", "category", "status", "start_year", "opened_on", "visit_count")
    list_filter = ("category", "status", "policies")
    search_fields = ("slug", *both_search("name", "description", "address"))
    filter_horizontal = ("policies", "sources")
    date_hierarchy = "opened_on"
    inlines = (MilestoneInline, AwardInline, BudgetLineInline, YearlyMetricInline)
    fieldsets = (
        (None, {"fields": ("slug", both("name"), both("description"), "policies")}),
        (
            _("Details"),
            {
                "fields": (
                    ("category", "status"),
                    ("start_year", "end_year", "opened_on"),
                    both("address"),
                    both("department"),
                    "sources",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(visit_total=Count("visits", distinct=True))

    @admin.display(description=_("recorded visits"), ordering="visit_total")
    def visit_count(self, program):
        return program.visit_total


@admin.register(Milestone)
class MilestoneAdmin(HistoryTranslationAdmin):
    list_display = ("title", "program", "year", "month")
    list_filter = ("year",)
    list_select_related = ("program",)
    search_fields = (*both_search("title"), *PROGRAM_SEARCH)
    autocomplete_fields = ("program",)
    fields = ("program", ("year", "month"), both("title"), "source")


@admin.register(Award)
class AwardAdmin(HistoryTranslationAdmin):
    list_display = ("name", "program", "awarded_by", "year", "month")
    list_filter = ("year",)
    list_select_related = ("program",)
    search_fields = (*both_search("name", "awarded_by"), *PROGRAM_SEARCH)
    autocomplete_fields = ("program",)
    fields = ("program", both("name"), both("awarded_by"), ("year", "month"), "source")


@admin.register(Indicator)
class IndicatorAdmin(HistoryTranslationAdmin):
    list_display = ("code", "name", "unit", "higher_is_better")
    list_filter = ("unit", "higher_is_better")
    search_fields = ("code", *both_search("name", "definition"))
    fields = ("code", both("name"), "unit", both("definition"), "higher_is_better")


class MetricImportExportMixin(ImportExportMixin):
    """The metric CSV import (upload → preview → confirm) and export of the README.

    Import needs the right to add and change metrics (the budget editors' role); the history
    rows written with each import are its record, so no admin LogEntry per row is written.
    The uploaded file waits for its confirmation in the database, and only the user and login
    session that uploaded it may confirm it (programs.uploads).
    """

    resource_classes = [YearlyMetricResource]
    import_formats = [UploadedCSV]
    export_formats = [SafeCSV]
    import_form_class = SizeLimitedImportForm
    confirm_form_class = UploadConfirmForm
    tmp_storage_class = DatabaseUploadStorage
    import_template_name = "admin/programs/yearlymetric/import.html"
    to_encoding = "utf-8-sig"  # a BOM, so Excel reads the Korean text
    skip_admin_log = True

    def has_import_permission(self, request):
        opts = self.opts
        return request.user.has_perms(
            [f"{opts.app_label}.add_{opts.model_name}", f"{opts.app_label}.change_{opts.model_name}"]
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form), "request": request}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["import_file_name"] = confirm_token(request, initial)
        return initial

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return self.refuse_confirmation(request, confirm_form.non_field_errors() or [NOT_YOURS])
        try:
            return super().process_import(request, **kwargs)
        except UploadGone:
            return self.refuse_confirmation(request, [GONE])

    def refuse_confirmation(self, request, problems):
        """The import page again, saying why the confirmation was refused."""
        for problem in problems:
            messages.error(request, problem)
        return self.import_page(request, status=400)

    def import_page(self, request, status=200, **context):
        """The import page with an empty upload form."""
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import"),
            "opts": self.model._meta,
            "form": self.get_import_form_class(request)(
                self.get_import_formats(), self.get_import_resource_classes(request)
            ),
            **context,
        }
        return TemplateResponse(request, [self.import_template_name], context, status=status)

    def process_result(self, result, request):
        if result.has_validation_errors():
            # The database changed between preview and confirm: show the problems, write nothing.
            return self.import_page(request, result=result)
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        counts = result.counts
        messages.success(
            request,
            gettext("Import finished: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % counts,
        )


@admin.register(YearlyMetric)
class YearlyMetricAdmin(MetricImportExportMixin, HistoryTranslationAdmin):
    list_display = ("program", "indicator", "year", "kind", "shown_value", "approximate", "as_of", "partial", "source")
    list_filter = ("kind", "approximate", "partial", "year", "indicator", "program")
    list_select_related = ("program", "indicator", "source")
    search_fields = (*PROGRAM_SEARCH, "indicator__code", "indicator__name_ko", "indicator__name_en")
    autocomplete_fields = ("program", "indicator")
    fields = (
        "program",
        "indicator",
        ("year", "kind"),
        ("value", "approximate"),
        ("as_of", "partial"),
        "source",
        both("note"),
    )

    @admin.display(description=_("value"), ordering="value")
    def shown_value(self, metric):
        """An amount in won with its reading in 억/만, any other figure as it is."""
        if metric.indicator.unit == Unit.KRW and metric.value is not None:
            return amount_reading(metric.value)
        return metric.value


@admin.register(BudgetLine)
class BudgetLineAdmin(BudgetAmounts, MetricImportExportMixin, HistoryTranslationAdmin):
    """Budget lines typed in, or a budget sheet imported (upload → preview → confirm)."""

    resource_classes = [BudgetLineResource]
    import_template_name = "admin/programs/budgetline/import.html"
    list_display = ("program", "period", "funding_source", "planned", "executed", "source")
    list_filter = ("funding_source", "start_year", "program")
    list_select_related = ("program", "source")
    search_fields = (*PROGRAM_SEARCH, *both_search("note"))
    autocomplete_fields = ("program",)
    fields = (
        "program",
        ("start_year", "end_year"),
        "funding_source",
        ("planned_amount", "executed_amount"),
        "source",
        both("note"),
    )

    @admin.display(description=_("period"), ordering="start_year")
    def period(self, line):
        return line.period_label


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Every import, as a record (never edited), with Undo on its page."""

    list_display = (
        "__str__",
        "kind",
        "user",
        "created_at",
        "created_count",
        "updated_count",
        "unchanged_count",
        "state",
    )
    list_filter = ("kind", "created_at")
    list_select_related = ("user", "undoes", "undone_by")
    search_fields = ("file_name", "file_sha256")
    date_hierarchy = "created_at"
    readonly_fields = (
        "kind",
        "user",
        "created_at",
        "file_name",
        "file_size",
        "file_sha256",
        "created_count",
        "updated_count",
        "unchanged_count",
        "undoes",
        "state",
        "rows",
    )
    fields = readonly_fields
    change_form_template = "admin/programs/importbatch/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("state"))
    def state(self, batch):
        undone_by = getattr(batch, "undone_by", None)
        if undone_by is not None:
            return _("undone by #%(pk)s") % {"pk": undone_by.pk}
        if batch.undoes_id:
            return _("undo of #%(pk)s") % {"pk": batch.undoes_id}
        return _("standing")

    @admin.display(description=_("rows it touched"))
    def rows(self, batch):
        shown, total = batches.touched_rows(batch)
        marks = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
        items = format_html_join(
            "",
            '<li>{}: <a href="{}">{}</a></li>',
            (
                (marks[kind], self.row_history_url(record), f"{record.instance._meta.verbose_name} #{record.id}")
                for kind, record in shown
            ),
        )
        more = _("%(shown)s of %(total)s shown") % {"shown": len(shown), "total": total} if total > len(shown) else ""
        return format_html("<ul>{}</ul>{}", items, more)

    @staticmethod
    def row_history_url(record) -> str:
        opts = record.instance._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.id])

    def original_kind(self, batch) -> str:
        while batch.kind == ImportKind.UNDO and batch.undoes_id:
            batch = batch.undoes
        return batch.kind

    def may_undo(self, request, batch) -> bool:
        if getattr(batch, "undone_by", None) is not None:
            return False
        return request.user.has_perms(batches.UNDO_PERMISSIONS.get(self.original_kind(batch), ("-",)))

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_undo"
        return [
            path("<int:object_id>/undo/", self.admin_site.admin_view(self.undo_view), name=name),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, object_id)
        extra = {"may_undo": batch is not None and self.may_undo(request, batch), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def undo_view(self, request, object_id):
        batch = self.get_object(request, str(object_id))
        if batch is None:
            raise Http404
        if not self.has_view_permission(request, batch) or not self.may_undo(request, batch):
            raise PermissionDenied
        page = reverse("admin:programs_importbatch_change", args=[batch.pk])
        if request.method == "POST":
            try:
                reverse_batch = batches.undo(batch, user_id=request.user.pk)
            except batches.UndoRefused as refusal:
                messages.error(request, str(refusal))
                return HttpResponseRedirect(page)
            self.log_change(request, batch, gettext("Undone by import #%(pk)s.") % {"pk": reverse_batch.pk})
            messages.success(
                request,
                gettext("Import #%(pk)s undone: every row it touched is as it was before it (see #%(undo)s).")
                % {"pk": batch.pk, "undo": reverse_batch.pk},
            )
            return HttpResponseRedirect(reverse("admin:programs_importbatch_change", args=[reverse_batch.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Undo import #%(pk)s?") % {"pk": batch.pk},
            "opts": self.opts,
            "batch": batch,
            "conflicts": batches.conflicts(batch)[: batches.CONFLICTS_SHOWN],
        }
        return TemplateResponse(request, "admin/programs/importbatch/undo.html", context)
