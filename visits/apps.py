from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Benchmarking visits")

    def ready(self):
        from programs.batches import register_batch_models
        from programs.models import ImportKind

        # What a visit import writes, an organization before the visits that name it.
        register_batch_models(ImportKind.VISITS, ["visits.Organization", "visits.Visit"])
