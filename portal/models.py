"""The public site's own table: figures derived from the data apps, never entered."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgramFigures(models.Model):
    """A program's figures as the lists show and sort them, derived from its visits, yearly metrics
    and budget lines and kept by portal.figures: never entered, never edited."""

    program = models.OneToOneField(
        "programs.Program",
        verbose_name=_("program"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
    )
    visit_count = models.PositiveIntegerField(_("named visits on record"), default=0)
    visitors_counted = models.DecimalField(
        _("visiting organizations counted"), max_digits=24, decimal_places=2, null=True, blank=True
    )
    budget_total = models.BigIntegerField(_("budget total (KRW)"), null=True, blank=True)

    class Meta:
        verbose_name = _("program figures")
        verbose_name_plural = _("program figures")
        # The most-visited programs: the first few entries of this index, largest first.
        indexes = [models.Index(fields=["visitors_counted"], name="figures_counted_idx")]

    def __str__(self):
        return str(self.program)
