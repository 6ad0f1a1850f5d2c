"""Benchmarking visits for the admin: export in the visit import's format, and import through
visits.importing (the same reader and checks as `manage.py import_visits`), whose outcome is
turned into django-import-export's Result for the preview and confirm pages."""

from import_export import fields
from import_export.results import RowResult

from programs.importing import source_label
from programs.models import ImportKind
from programs.resources import ImporterResource, MetricImportResult, preview_change, refused_result

from .importing import VisitImport, import_visits
from .models import Visit

PREVIEW_HEADERS = ("program", "organization", "year", "date", "people", "purpose", "source")


class VisitResource(ImporterResource):
    import_kind = ImportKind.VISITS
    program = fields.Field(attribute="program__slug", column_name="program")
    organization = fields.Field(attribute="organization__name_ko", column_name="organization")
    organization_en = fields.Field(attribute="organization__name_en", column_name="organization_en")
    visited_on = fields.Field(column_name="visited_on")
    source = fields.Field(column_name="source")

    class Meta:
        model = Visit
        fields = (
            "program",
            "organization",
            "organization_en",
            "year",
            "visited_on",
            "people",
            "purpose_ko",
            "purpose_en",
            "source",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related("program", "organization", "source")

    def dehydrate_visited_on(self, visit):
        return visit.visited_on.isoformat() if visit.visited_on else ""

    def dehydrate_source(self, visit):
        return source_label(visit.source) if visit.source_id else ""

    def import_file(self, raw: bytes, **kwargs):
        return visit_result(import_visits(raw, **kwargs))


def visit_result(outcome: VisitImport) -> MetricImportResult:
    result = MetricImportResult(outcome)
    result.matched = sorted(outcome.matched.items())
    result.new_organizations = list(outcome.new_organizations.values())
    if not outcome.ok:
        return refused_result(result, outcome.parsed)
    result.diff_headers = list(PREVIEW_HEADERS)
    lookups = outcome.parsed.lookups
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
        rows = [_preview_row(import_type, row, old, outcome, lookups) for row, old in items]
        result.preview += rows
        group = {"import_type": import_type, "rows": rows, "shown": len(rows), "total": outcome.counts[kind]}
        result.preview_groups.append(group)
    return result


def _preview_row(import_type, row, old, outcome, lookups):
    def change(before, after):
        return preview_change(before, after, import_type == RowResult.IMPORT_TYPE_UPDATE)

    return {
        "import_type": import_type,
        "line": row.line,
        "cells": [
            lookups.program_names[row.program_id],
            outcome.organization_name(row),
            row.year,
            row.visited_on or "",
            change(old["people"] if old else None, row.people),
            change(old["purpose"] if old else None, row.purpose),
            change(old["source_id"] if old else None, row.source_id),
        ],
    }
