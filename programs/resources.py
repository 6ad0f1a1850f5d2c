"""django-import-export resources: yearly metrics (import and export) and budget lines (export).

Metric import does not take django-import-export's row-by-row path (a query or more per row,
and rules of its own): `YearlyMetricResource.import_data` hands the uploaded bytes to
programs.importing, the same parser, validator and writer as `manage.py import_metrics`, and
turns its outcome into django-import-export's Result for the preview and confirm pages.
"""

from __future__ import annotations

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import fields, resources
from import_export.formats import base_formats
from import_export.results import InvalidRow, Result, RowResult

from jeonju.csvio import escape_csv_cell

from .batches import earlier_imports
from .importing import COLUMNS, ImportOutcome, import_metrics, source_label
from .importing.budget import BudgetImport, import_budget
from .models import BudgetLine, ImportKind, YearlyMetric

# How many rows of each kind (to create, to update, unchanged) the admin's preview lists (the
# importer keeps only these); the counts above the lists cover every row. A 10,000-row file
# must preview in well under 2 s, and rendering every row would take longer than reading and
# checking the file.
PREVIEW_ROWS = 100


class UploadedCSV(base_formats.CSV):
    """CSV for import, read as bytes: the encoding (UTF-8, UTF-8 with BOM, CP949/EUC-KR) and the
    separator are detected by programs.importing, not chosen by the user."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def can_export(self):
        return False

    def create_dataset(self, in_stream, **kwargs):
        return UploadDataset(in_stream if isinstance(in_stream, bytes) else in_stream.encode("utf-8"))


class UploadDataset(tablib.Dataset):
    """Carries the uploaded bytes untouched to the resource; never empty, so a file that cannot
    be read reaches the resource and its problems are listed like any other."""

    def __init__(self, raw: bytes):
        super().__init__()
        self.raw = raw

    def __bool__(self):
        return True


class SafeCSV(base_formats.CSV):
    """CSV for export, with formula-looking cells escaped by an apostrophe (jeonju.csvio)."""

    def can_import(self):
        return False

    def export_data(self, dataset, **kwargs):
        safe = tablib.Dataset(headers=[escape_csv_cell(h) for h in dataset.headers])
        for row in dataset:
            safe.append([escape_csv_cell(cell) for cell in row])
        return safe.export("csv", **kwargs)


def _plain_number(value):
    """84.00 → 84, 12.50 → 12.5: as staff would type it, and read back as the same value."""
    if value is None:
        return ""
    normalized = value.normalize()
    return normalized.quantize(1) if normalized == normalized.to_integral_value() else normalized


class ImporterResource(resources.ModelResource):
    """A resource whose import is one of the project's own importers, not django-import-export's
    row by row: `import_file(raw, **importer arguments)` returns the Result the pages show."""

    import_kind: str = ""

    def import_file(self, raw: bytes, **kwargs) -> Result:
        raise NotImplementedError

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        raw = getattr(dataset, "raw", None)
        if raw is None:  # a Dataset built elsewhere: back to CSV, through the same checks
            raw = dataset.export("csv").encode("utf-8")
        user = kwargs.get("user")
        file_name = kwargs.get("file_name") or ""
        result = self.import_file(
            raw,
            dry_run=dry_run,
            user_id=getattr(user, "pk", None),
            reason=f"CSV import (admin) {file_name}".strip(),
            keep=PREVIEW_ROWS,
            file_name=file_name,
        )
        # The same file imported before (and not undone): said in the preview, not refused.
        result.earlier_imports = earlier_imports(self.import_kind, raw) if dry_run else []
        return result


class YearlyMetricResource(ImporterResource):
    """The metric CSV format of the README: program slug, indicator code, year, value, kind,
    as_of, source ("publisher|title|date"), approximate (yes/no)."""

    import_kind = ImportKind.METRICS

    program = fields.Field(attribute="program__slug", column_name="program")
    indicator = fields.Field(attribute="indicator__code", column_name="indicator")
    year = fields.Field(attribute="year", column_name="year")
    value = fields.Field(column_name="value")
    kind = fields.Field(attribute="kind", column_name="kind")
    as_of = fields.Field(column_name="as_of")
    source = fields.Field(column_name="source")
    approximate = fields.Field(column_name="approximate")

    class Meta:
        model = YearlyMetric
        fields = ("program", "indicator", "year", "value", "kind", "as_of", "source", "approximate")
        export_order = fields
        import_id_fields = ("program", "indicator", "year", "kind")

    def get_queryset(self):
        return YearlyMetric.objects.select_related("program", "indicator", "source")

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("program", "indicator", "source")

    def dehydrate_value(self, metric):
        return _plain_number(metric.value)

    def dehydrate_as_of(self, metric):
        return metric.as_of.isoformat() if metric.as_of else ""

    def dehydrate_source(self, metric):
        return source_label(metric.source) if metric.source_id else ""

    def dehydrate_approximate(self, metric):
        return yes_no(metric.approximate)

    def import_file(self, raw: bytes, **kwargs):
        return metric_result(import_metrics(raw, **kwargs))


class MetricImportResult(Result):
    """A Result that also carries the importer's own problems and preview rows."""

    def __init__(self, outcome: ImportOutcome):
        super().__init__()
        self.outcome = outcome
        self.problems = outcome.parsed.problems
        self.counts = outcome.counts
        # every listed row, to create first, then to update, then unchanged
        self.preview = []
        # [{"import_type", "rows", "shown", "total"}] for the kinds that have rows
        self.preview_groups = []


def metric_result(outcome: ImportOutcome) -> MetricImportResult:
    result = MetricImportResult(outcome)
    parsed = outcome.parsed
    if not outcome.ok:
        return refused_result(result, parsed)

    plan = outcome.plan
    result.diff_headers = [names[0] for names in COLUMNS.values()]
    result.totals[RowResult.IMPORT_TYPE_NEW] = plan.counts["created"]
    result.totals[RowResult.IMPORT_TYPE_UPDATE] = plan.counts["updated"]
    result.totals[RowResult.IMPORT_TYPE_SKIP] = plan.counts["unchanged"]
    result.total_rows = parsed.row_count
    lookups = parsed.lookups
    for import_type, items in (
        (RowResult.IMPORT_TYPE_NEW, [(row, None) for row in plan.created[:PREVIEW_ROWS]]),
        (RowResult.IMPORT_TYPE_UPDATE, [(row, old) for old, row in plan.updated[:PREVIEW_ROWS]]),
        (RowResult.IMPORT_TYPE_SKIP, [(row, None) for row in plan.unchanged[:PREVIEW_ROWS]]),
    ):
        if not items:
            continue
        rows = [_preview_cells(import_type, row, old, lookups) for row, old in items]
        total = result.totals[import_type]
        result.preview += rows
        result.preview_groups.append({"import_type": import_type, "rows": rows, "shown": len(rows), "total": total})
    return result


def refused_result(result: Result, parsed) -> Result:
    """A refused file's Result: its problems by line, for the import page's error list."""
    result.diff_headers = list(parsed.headers)
    by_line: dict[int, dict[str, list[str]]] = {}
    for problem in parsed.problems:
        by_line.setdefault(problem.line, {}).setdefault(problem.column or NON_FIELD_ERRORS, []).append(problem.message)
    for line, errors in by_line.items():
        result.invalid_rows.append(
            InvalidRow(number=line, validation_error=ValidationError(errors), values=parsed.bad_lines.get(line, ()))
        )
    result.totals[RowResult.IMPORT_TYPE_INVALID] = len(by_line)
    return result


def yes_no(flag: bool) -> str:
    """A flag as the metric file writes it (and reads it back)."""
    return "yes" if flag else "no"


def preview_change(before, after, updating: bool):
    """A preview cell: the new value, shown as "old → new" in a row to update where it differs."""
    before, after = before if before is not None else "", after if after is not None else ""
    return f"{before} → {after}" if updating and before != after else after


def _preview_cells(import_type, row, old, lookups):
    def change(before, after):
        return preview_change(before, after, old is not None)

    return {
        "import_type": import_type,
        "line": row.line,
        "cells": [
            lookups.program_names[row.program_id],
            lookups.indicator_names[row.indicator_id],
            row.year,
            change(_plain_number(old.value) if old else None, _plain_number(row.value)),
            row.kind,
            change(old.as_of if old else None, row.as_of),
            change(old.source_id if old else None, row.source_id),
            change(yes_no(old.approximate) if old else None, yes_no(row.approximate)),
        ],
    }


class BudgetLineResource(ImporterResource):
    """Budget lines: export in the budget import's format (program slug, plain numbers), and
    import through programs.importing.budget, the same reader as `manage.py import_budget`."""

    import_kind = ImportKind.BUDGET
    program = fields.Field(attribute="program__slug", column_name="program")
    source = fields.Field(column_name="source")

    class Meta:
        model = BudgetLine
        fields = (
            "program",
            "start_year",
            "end_year",
            "funding_source",
            "planned_amount",
            "executed_amount",
            "source",
            "note_ko",
            "note_en",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("program", "source")

    def dehydrate_source(self, line):
        return source_label(line.source) if line.source_id else ""

    def import_file(self, raw: bytes, **kwargs):
        return budget_result(import_budget(raw, **kwargs))


BUDGET_PREVIEW_HEADERS = ("program", "period", "funding_source", "planned", "executed", "source")


def preview_groups(result: MetricImportResult, outcome, headers, cells) -> MetricImportResult:
    """Fill a Result's preview from a visit or budget import's outcome: the counts, and the rows
    it kept of each kind, `cells(row, old, change)` giving each row's cells (`change(before,
    after)` writes "old → new" in a row to update)."""
    result.diff_headers = list(headers)
    result.total_rows = outcome.parsed.row_count
    for kind, import_type in (
        ("created", RowResult.IMPORT_TYPE_NEW),
        ("updated", RowResult.IMPORT_TYPE_UPDATE),
        ("unchanged", RowResult.IMPORT_TYPE_SKIP),
    ):
        result.totals[import_type] = outcome.counts[kind]
        items = outcome.preview[kind]
        if not items:
            continue
        updating = import_type == RowResult.IMPORT_TYPE_UPDATE

        def change(before, after, updating=updating):
            return preview_change(before, after, updating)

        rows = [{"import_type": import_type, "line": row.line, "cells": cells(row, old, change)} for row, old in items]
        result.preview += rows
        group = {"import_type": import_type, "rows": rows, "shown": len(rows), "total": outcome.counts[kind]}
        result.preview_groups.append(group)
    return result


def budget_result(outcome: BudgetImport) -> MetricImportResult:
    result = MetricImportResult(outcome)
    result.warnings = outcome.warnings
    if not outcome.ok:
        return refused_result(result, outcome.parsed)
    names = outcome.parsed.lookups.program_names

    def cells(row, old, change):
        return [
            names[row.program_id],
            BudgetLine(start_year=row.start_year, end_year=row.end_year).period_label,
            row.funding_source,
            change(old.planned_amount if old else None, row.planned),
            change(old.executed_amount if old else None, row.executed),
            change(old.source_id if old else None, row.source_id),
        ]

    return preview_groups(result, outcome, BUDGET_PREVIEW_HEADERS, cells)
