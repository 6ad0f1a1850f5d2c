"""The FilterSets of the public lists, shared by each page, its downloads and its feeds."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter, ChoiceFilter, DateFilter, Filter, FilterSet, ModelChoiceFilter

from policies.models import MAX_YEAR, MIN_YEAR, CoreValue, ElectedTerm, Policy, Sector, Status
from programs.models import Category, Program
from visits.models import OrganizationKind, Region, Visit


def localized_name(field: str):
    """Sort key: the active language's text, falling back to Korean where no translation exists."""
    language = get_language() or "ko"
    if language == "ko":
        return F(f"{field}_ko")
    return Coalesce(NullIf(F(f"{field}_{language}"), Value("")), F(f"{field}_ko"), output_field=CharField())


def search_filter(queryset, name, value):
    """`q`: the queryset's own bilingual search (Korean and English fields)."""
    return queryset.search(value)


class PolicyFilter(FilterSet):
    q = CharFilter(label=_("Search"), method=search_filter, max_length=100)
    sector = ChoiceFilter(label=_("Sector"), choices=Sector.choices, empty_label=_("All sectors"))
    value = ModelChoiceFilter(
        label=_("Core value"),
        field_name="core_values",
        to_field_name="code",
        queryset=CoreValue.objects.all(),
        empty_label=_("All core values"),
        distinct=True,
    )
    term = ModelChoiceFilter(
        label=_("Elected term"),
        field_name="terms",
        to_field_name="number",
        queryset=ElectedTerm.objects.all(),
        empty_label=_("All terms"),
        distinct=True,
    )
    status = ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("All statuses"))

    class Meta:
        model = Policy
        fields = []

    @property
    def qs(self):
        return super().qs.order_by(localized_name("title").asc())


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
            ("visits", _("Most visiting organizations counted (sum of the years)")),
            ("budget", _("Largest planned budget")),
            ("executed", _("Largest executed amount")),
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
        # read from their figures (portal.figures).
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
            "budget": [F("planned_total").desc(nulls_last=True), name.asc()],
            "executed": [F("executed_total").desc(nulls_last=True), name.asc()],
            "start_year": [F("start_year").desc(nulls_last=True), name.asc()],
            "-start_year": [F("start_year").asc(nulls_last=True), name.asc()],
        }
        return queryset.order_by(*orderings.get(sort, [name.asc()]))


# Up to this many programs the program filter is a drop-down list; beyond it, a text box (a page
# must not carry an <option> per program, whatever the data size).
PROGRAM_SELECT_LIMIT = 100


def program_choices() -> list[tuple[str, str]] | None:
    """(slug, name in the active language) of every program, by name; None when there are more
    than PROGRAM_SELECT_LIMIT. One query of at most PROGRAM_SELECT_LIMIT + 1 rows."""
    rows = list(
        Program.objects.annotate(label=localized_name("name"))
        .order_by("label", "slug")
        .values_list("slug", "label")[: PROGRAM_SELECT_LIMIT + 1]
    )
    return None if len(rows) > PROGRAM_SELECT_LIMIT else rows


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


class VisitProgramFilter(Filter):
    field_class = ProgramField


class VisitFilter(FilterSet):
    q = CharFilter(
        label=_("Search"),
        method=search_filter,
        max_length=100,
        help_text=_("The visiting organization, its city or region, or the purpose of the visit."),
        widget=forms.TextInput(attrs={"type": "search", "aria-describedby": "id_q_hint"}),
    )
    program = VisitProgramFilter(label=_("Program"))
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
