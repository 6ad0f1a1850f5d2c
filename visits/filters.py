"""FilterSet of the benchmarking-visit list, shared by the page, its downloads and its feeds."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, DateFilter, Filter, FilterSet

from jeonju.cache import cached_fragment
from policies.filters import localized_name
from programs.filters import YearFilter
from programs.models import Program

from .models import OrganizationKind, Region, Visit

# Up to this many programs the program filter is a drop-down list; beyond it, a text box (a page
# must not carry an <option> per program, whatever the data size).
PROGRAM_SELECT_LIMIT = 100


def program_choices() -> list[tuple[str, str]] | None:
    """(slug, name in the active language) of every program, by name; None when there are more
    than PROGRAM_SELECT_LIMIT. One query, cached per data generation and language."""

    def build():
        rows = list(
            Program.objects.annotate(label=localized_name("name"))
            .order_by("label", "slug")
            .values_list("slug", "label")[: PROGRAM_SELECT_LIMIT + 1]
        )
        return None if len(rows) > PROGRAM_SELECT_LIMIT else rows

    return cached_fragment("visit-filter-program-choices", build)


class ProgramField(forms.CharField):
    """A program given by its address (slug) or its exact name in Korean or English."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        program = None
        if len(value) <= 200:  # the longest slug or name
            program = (
                Program.objects.filter(slug=value).first()
                or Program.objects.filter(Q(name_ko__iexact=value) | Q(name_en__iexact=value)).order_by("slug").first()
            )
        if program is None:
            raise ValidationError(_("No program has this name or address."), code="invalid_choice")
        return program


class ProgramFilter(Filter):
    field_class = ProgramField


class VisitFilter(FilterSet):
    program = ProgramFilter(label=_("Program"))
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = program_choices()
        if choices is None:
            self.filters["program"].extra.update(
                widget=forms.TextInput(attrs={"aria-describedby": "id_program_hint"}),
                help_text=_("The program's name or its address (slug), as on the program list."),
            )
        else:
            self.filters["program"].extra["widget"] = forms.Select(choices=[("", _("All programs")), *choices])
