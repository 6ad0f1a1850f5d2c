"""Choice labels that are cheap to show on every row of a list.

Django's `get_FOO_display()` builds a dictionary of the field's choices on every call, hashing
each lazy label, which translates it: on a list of 50 visits, each showing a region and a kind,
that is thousands of translations per page. `fast_choice_display` gives a model's choice fields
a `get_FOO_display()` that looks the label up in a dictionary built once per language.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language


def _display(field: models.Field):
    labels_by_language: dict[str | None, dict] = {}

    def get_display(self):
        value = getattr(self, field.attname)
        language = get_language()
        labels = labels_by_language.get(language)
        if labels is None:
            labels = labels_by_language[language] = {key: str(label) for key, label in field.flatchoices}
        try:
            return labels.get(value, value)
        except TypeError:  # an unhashable value: not one of the choices
            return value

    get_display.__name__ = f"get_{field.name}_display"
    return get_display


def fast_choice_display(model: type[models.Model]) -> type[models.Model]:
    """Class decorator: every choice field of `model` gets the cached `get_FOO_display()`."""
    for field in model._meta.local_fields:
        if field.choices:
            setattr(model, f"get_{field.name}_display", _display(field))
    return model
