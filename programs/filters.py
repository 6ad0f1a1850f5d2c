"""FilterSets of the program and indicator pages, shared by the lists, downloads and feeds."""

from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter, ChoiceFilter, Filter, FilterSet, ModelChoiceFilter

from policies.filters import localized_name, search_filter
from policies.models import MAX_YEAR, MIN_YEAR, CoreValue, Policy, Status

from .models import Category, Program


class YearFilter(Filter):
    """A whole year within the sane range; anything else is a form error, not a server error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(*args, **kwargs)


class ProgramFilter(FilterSet):
    q = CharFilter(label=_("Search"), method=search_filter, max_length=100)
    category = ChoiceFilter(label=_("Category"), choices=Category.choices, empty_label=_("All categories"))
    policy = ModelChoiceFilter(
        label=_("Policy"),
        field_name="policies",
        to_field_name="slug",
        queryset=Policy.objects.all(),
        empty_label=_("All policies"),
        distinct=True,
    )
    status = ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("All statuses"))
    value = ModelChoiceFilter(
        label=_("Core value"),
        field_name="policies__core_values",
        to_field_name="code",
        queryset=CoreValue.objects.all(),
        empty_label=_("All core values"),
        distinct=True,
    )
    year_from = YearFilter(label=_("Active from (year)"), method="filter_year_from")
    year_to = YearFilter(label=_("Active until (year)"), method="filter_year_to")
    visits = ChoiceFilter(
        label=_("Benchmarking visits"),
        choices=[("yes", _("With benchmarking visits")), ("no", _("Without benchmarking visits"))],
        empty_label=_("All programs"),
        method="filter_visits",
    )
    sort = ChoiceFilter(
        label=_("Sort by"),
        choices=[
            ("name", _("Name")),
            ("visits", _("Most visiting organizations")),
            ("budget", _("Largest budget")),
            ("start_year", _("Newest start year")),
            ("-start_year", _("Oldest start year")),
        ],
        empty_label=None,
        method="sort_by",
    )

    class Meta:
        model = Program
        fields = []

    def filter_year_from(self, queryset, name, value):
        # Active in or after the year: not ended before it.
        return queryset.filter(Q(end_year__isnull=True) | Q(end_year__gte=value))

    def filter_year_to(self, queryset, name, value):
        # Active in or before the year: started by then.
        return queryset.filter(Q(start_year__isnull=True) | Q(start_year__lte=value))

    def filter_visits(self, queryset, name, value):
        # Programs with either named visitors on record or a count of visiting organizations,
        # read from their figures (programs.figures).
        has = Q(figures__visit_count__gt=0) | Q(figures__visitors_counted__gt=0)
        return queryset.filter(has if value == "yes" else ~has)

    def sort_by(self, queryset, name, value):
        return queryset  # applied last, in `qs`, so it also orders unfiltered lists

    @property
    def qs(self):
        queryset = super().qs
        sort = self.form.cleaned_data.get("sort") if self.is_bound and self.form.is_valid() else ""
        name = localized_name("name")
        orderings = {
            "visits": [F("visitors_counted").desc(nulls_last=True), F("visit_count").desc(), name.asc()],
            "budget": [F("budget_total").desc(nulls_last=True), name.asc()],
            "start_year": [F("start_year").desc(nulls_last=True), name.asc()],
            "-start_year": [F("start_year").asc(nulls_last=True), name.asc()],
        }
        return queryset.order_by(*orderings.get(sort, [name.asc()]))
