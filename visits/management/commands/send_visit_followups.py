"""Ask the bodies whose visit was done VISIT_FOLLOWUP_DAYS ago what they took home.

Idempotent: a request is asked once; a send that failed is tried again on the next run. Run it
daily (cron: `30 9 * * * cd /srv/portal && .venv/bin/python manage.py send_visit_followups`).
The e-mails link to SITE_URL (the portal's public address).
"""

from django.conf import settings
from django.core.management import BaseCommand

from visits.desk import send_follow_ups


class Command(BaseCommand):
    help = "E-mail the follow-up question to visits done VISIT_FOLLOWUP_DAYS ago (once per visit)."

    def add_arguments(self, parser):
        parser.add_argument("--site-url", default=settings.SITE_URL, help="The public address the links use.")

    def handle(self, *args, **options):
        sent = send_follow_ups(options["site_url"])
        self.stdout.write(
            f"Follow-up questions sent: {sent} (visits done {settings.VISIT_FOLLOWUP_DAYS} days ago or more)."
        )
