from modeltranslation.translator import TranslationOptions, translator

from jeonju.bilingual import register_bilingual

from .models import CoreValue, ElectedTerm, Policy, Source

register_bilingual(Source, ("publisher", "title"))
register_bilingual(Policy, ("title", "summary", "body", "department"))

# Reference lists without history: registered directly.
for model in (CoreValue, ElectedTerm):
    translator.register(model, type(f"{model.__name__}Translation", (TranslationOptions,), {"fields": ("name",)}))
