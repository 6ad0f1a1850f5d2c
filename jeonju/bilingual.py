"""Register Korean/English content fields with django-modeltranslation.

The model's historical twin (django-simple-history) is registered with the same fields, so
an edit's history keeps both languages and a restore brings both back.
"""

from django.conf import settings
from modeltranslation.translator import TranslationOptions, translator
from modeltranslation.utils import build_localized_fieldname


def register_bilingual(model, fields: tuple[str, ...]) -> None:
    for target in (model, model.history.model):
        options = type(f"{target.__name__}Translation", (TranslationOptions,), {"fields": fields})
        translator.register(target, options)
    _track_translated_fields(model, fields)


def _track_translated_fields(model, fields: tuple[str, ...]) -> None:
    """Make history diffs and restores carry both languages.

    simple_history fixed the fields it diffs and restores (`tracked_fields`, and the fields
    `.instance` copies back) when it built the historical model, before modeltranslation
    added name_ko/name_en. Without this a restore would bring back the Korean text and drop
    the English, and the history page would not show English edits.
    """
    historical = model.history.model
    extra = [
        model._meta.get_field(build_localized_fieldname(name, lang))
        for name in fields
        for lang in settings.MODELTRANSLATION_LANGUAGES
    ]
    known = {f.name for f in historical.tracked_fields}
    historical.tracked_fields = [*historical.tracked_fields, *(f for f in extra if f.name not in known)]
    copy_instance = historical.instance.fget

    def instance(record):
        obj = copy_instance(record)
        for field in extra:
            setattr(obj, field.attname, getattr(record, field.attname))
        return obj

    historical.instance = property(instance)
