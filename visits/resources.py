"""Benchmarking visits for the admin: export in the visit import's format, and import through
visits.importing (the same reader and checks as `manage.py import_visits`), whose outcome is
turned into django-import-export's Result for the preview and confirm pages."""

from import_export import fields

from programs.importing import source_label
from programs.models import ImportKind
from programs.resources import ImporterResource, MetricImportResult, preview_groups, refused_result

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
    names = outcome.parsed.lookups.program_names

    def cells(row, old, change):
        return [
            names[row.program_id],
            outcome.organization_name(row),
            row.year,
            row.visited_on or "",
            change(old["people"] if old else None, row.people),
            change(old["purpose"] if old else None, row.purpose),
            change(old["source_id"] if old else None, row.source_id),
        ]

    return preview_groups(result, outcome, PREVIEW_HEADERS, cells)
