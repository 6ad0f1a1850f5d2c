"""Recompute every program's figures (ProgramFigures) from its visits, metrics and budget lines,
and the indicators' and the visits' (IndicatorFigures, VisitFigures).

They are kept as the data changes; this is for writes made outside the portal's code (SQL by
hand, a restored table) and costs a few seconds at --scale 100.
"""

from django.core.management import BaseCommand
from django.db import transaction

from portal.cache import bump_generation
from portal.figures import refresh_all_figures


class Command(BaseCommand):
    help = "Recompute the figures the lists read: each program's, each indicator's, the visits' by year and region."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = refresh_all_figures()
        bump_generation()
        self.stdout.write(f"Figures of {count:,} programs recomputed.")
