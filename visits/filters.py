"""FilterSet of the benchmarking-visit list, shared by the page, its downloads and its feeds."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, DateFilter, FilterSet, ModelChoiceFilter

from programs.filters import YearFilter
from programs.models import Program

from .models import OrganizationKind, Region, Visit


class VisitFilter(FilterSet):
    program = ModelChoiceFilter(
        label=_("Program"), to_field_name="slug", queryset=Program.objects.all(), empty_label=_("All programs")
    )
    kind = ChoiceFilter(
        label=_("Kind of organization"),
        field_name="organization__kind",
        choices=OrganizationKind.choices,
        empty_label=_("All kinds"),
    )
    region = ChoiceFilter(
        label=_("Region of origin"),
        field_name="organization__region",
        choices=Region.choices,
        empty_label=_("All regions"),
    )
    year = YearFilter(label=_("Year"))
    date_from = DateFilter(
        label=_("Visited on or after"),
        field_name="visited_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = DateFilter(
        label=_("Visited on or before"),
        field_name="visited_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Visit
        fields = []
