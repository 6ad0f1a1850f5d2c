from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public site over the data apps (policies ← programs ← visits)."""

    name = "portal"
    verbose_name = _("Public site")

    def ready(self):
        from . import cache, figures

        # After a write to the data apps: refresh the programs' figures, and bump the cache
        # generation so that no page cached before the write is served again.
        figures.connect_signals()
        cache.connect_signals()
