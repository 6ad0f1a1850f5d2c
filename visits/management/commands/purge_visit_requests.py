"""Erase the personal data of visit requests once their retention period is over.

Run it daily (cron: `15 3 * * * cd /srv/portal && .venv/bin/python manage.py purge_visit_requests`).
"""

from django.conf import settings
from django.core.management import BaseCommand

from visits.desk import purge_personal_data


class Command(BaseCommand):
    help = "Erase contact names, e-mails and phones of visit requests whose visit is past the retention period."

    def handle(self, *args, **options):
        erased = purge_personal_data()
        self.stdout.write(
            f"Personal data erased from {erased} visit request(s) "
            f"(retention: {settings.VISIT_REQUEST_RETENTION_DAYS} days after the visit)."
        )
