"""Load the real seed data of fixtures/seed.json.

Idempotent: every object in the fixture has a fixed primary key, so running it again
updates the same rows instead of adding new ones.
"""

from django.conf import settings
from django.core.management import BaseCommand, call_command
from django.db import transaction

from portal.figures import refresh_all_figures

SEED_FIXTURE = settings.BASE_DIR / "fixtures" / "seed.json"


class Command(BaseCommand):
    help = "Load (or refresh) the portal's seed data: policies, programs, visits, metrics, budgets, sources."

    def handle(self, *args, **options):
        with transaction.atomic():
            call_command("loaddata", str(SEED_FIXTURE), verbosity=options["verbosity"])
            # Fixtures load rows in any order; the programs' figures are summed once all are in.
            refresh_all_figures()
