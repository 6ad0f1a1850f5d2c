"""App configurations the project gives the libraries it installs."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(BaseAxesConfig):
    # django-axes names its admin section after its label ("Axes"), which says nothing to a clerk.
    verbose_name = _("Login security")

    def ready(self):
        super().ready()
        from axes.admin import AccessAttemptAdmin

        # The column computed by a method has no header of its own but the method's name.
        AccessAttemptAdmin.status.short_description = _("login status")
