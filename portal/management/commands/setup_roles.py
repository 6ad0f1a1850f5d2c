"""Create (or bring back in line) the staff roles as Django groups.

Idempotent: each group ends up with exactly the permissions listed here, so running it again
after an upgrade also removes permissions that were added to a group by hand. Superusers
need no group (they may do everything); a staff account is given a role by adding it to one
of these groups in the admin (Users → the user → Groups).
"""

from django.contrib.auth.models import Group, Permission
from django.core.management import BaseCommand, CommandError

ALL = ("add", "change", "delete", "view")

# Group name → {(app, model): actions}. "view" on a model another role owns lets a role pick
# it in a form (autocomplete needs it) without being able to change it.
ROLES: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    "Visit editors": {
        ("visits", "visit"): ALL,
        ("visits", "organization"): ALL,
        # The visit desk: every program's requests, hosting settings and follow-ups.
        ("visits", "visitrequest"): ("view", "change", "handle"),
        ("visits", "visithosting"): ALL,
        ("visits", "closedperiod"): ALL,
        ("visits", "followup"): ("view", "change"),
        ("programs", "importbatch"): ("view",),
        ("programs", "program"): ("view",),
        ("policies", "source"): ("view",),
    },
    # A program's host: the requests for the programs they host (VisitHosting.hosts), no others.
    "Visit hosts": {
        ("visits", "visitrequest"): ("view", "change"),
        ("visits", "visithosting"): ("view",),
        ("visits", "organization"): ("view",),
        ("programs", "program"): ("view",),
    },
    "Budget editors": {
        ("programs", "budgetline"): ALL,
        # add + change on yearly metrics is also what the CSV import asks for.
        ("programs", "yearlymetric"): ALL,
        ("programs", "importbatch"): ("view",),
        ("programs", "program"): ("view",),
        ("programs", "indicator"): ("view",),
        ("policies", "source"): ("view",),
    },
    "Content editors": {
        ("policies", "policy"): ALL,
        ("policies", "source"): ALL,
        ("policies", "corevalue"): ALL,
        ("policies", "electedterm"): ALL,
        ("programs", "program"): ALL,
        ("programs", "milestone"): ALL,
        ("programs", "award"): ALL,
        ("programs", "indicator"): ALL,
        # to see (not edit) a program's figures on its page
        ("programs", "yearlymetric"): ("view",),
        ("programs", "budgetline"): ("view",),
        # the site's contact details and policy pages: their text, never their rows
        ("portal", "sitecontact"): ("change", "view"),
        ("portal", "sitepage"): ("change", "view"),
    },
}


def role_permissions(grants: dict[tuple[str, str], tuple[str, ...]]) -> list[Permission]:
    wanted = {(app, f"{action}_{model}") for (app, model), actions in grants.items() for action in actions}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(codename__in={c for _, c in wanted}).select_related("content_type")
    }
    missing = wanted - found.keys()
    if missing:
        raise CommandError(f"Permissions missing (run migrate first): {sorted(missing)}")
    return [found[key] for key in sorted(wanted)]


class Command(BaseCommand):
    help = "Create the staff roles (Visit editors, Visit hosts, Budget editors, Content editors) as groups. Idempotent."

    def handle(self, *args, **options):
        for name, grants in ROLES.items():
            group, created = Group.objects.get_or_create(name=name)
            permissions = role_permissions(grants)
            group.permissions.set(permissions)
            self.stdout.write(f"{'Created' if created else 'Updated'} {name}: {len(permissions)} permissions")
