"""FilterSet of the policy list, shared by the page and its downloads."""

from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_filters import CharFilter, ChoiceFilter, FilterSet, ModelChoiceFilter

from .models import CoreValue, ElectedTerm, Policy, Sector, Status


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
