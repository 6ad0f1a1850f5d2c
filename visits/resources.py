"""Benchmarking visits for export from the admin, in the metric file's conventions."""

from import_export import fields, resources

from programs.importing import source_label

from .models import Visit


class VisitResource(resources.ModelResource):
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
