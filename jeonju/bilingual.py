"""Register Korean/English content fields with django-modeltranslation.

The model's historical twin (django-simple-history) is registered with the same fields, so
an edit's history keeps both languages and a restore brings both back.
"""

from modeltranslation.translator import TranslationOptions, translator


def register_bilingual(model, fields: tuple[str, ...]) -> None:
    for target in (model, model.history.model):
        options = type(f"{target.__name__}Translation", (TranslationOptions,), {"fields": fields})
        translator.register(target, options)
