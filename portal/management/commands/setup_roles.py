"""Create (or bring back in line) the staff roles as Django groups, named in Korean.

Idempotent: each group ends up with exactly the permissions listed here, so running it again
after an upgrade also removes permissions that were added to a group by hand. Superusers
need no group (they may do everything); a staff account is given a role by adding it to one
of these groups in the admin (Users → the user → Groups).

The roles once had English names: a group still under a former name is renamed (its members
stay in it); if both names exist, the members of the former one join the new one, and the
former one goes.
"""

from django.contrib.auth.models import Group, Permission
from django.core.management import BaseCommand, CommandError
from django.db import transaction

ALL = ("add", "change", "delete", "view")

# Group name → {(app, model): actions}. "view" on a model another role owns lets a role pick
# it in a form (autocomplete needs it) without being able to change it.
VISIT_EDITORS = "방문 기록 담당"
VISIT_HOSTS = "방문 안내 담당"
BUDGET_EDITORS = "예산·통계 담당"
CONTENT_EDITORS = "콘텐츠 담당"

# Former name → name.
FORMER_NAMES = {
    "Visit editors": VISIT_EDITORS,
    "Visit hosts": VISIT_HOSTS,
    "Budget editors": BUDGET_EDITORS,
    "Content editors": CONTENT_EDITORS,
}

ROLES: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    VISIT_EDITORS: {
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
    VISIT_HOSTS: {
        ("visits", "visitrequest"): ("view", "change"),
        ("visits", "visithosting"): ("view",),
        ("visits", "organization"): ("view",),
        ("programs", "program"): ("view",),
    },
    BUDGET_EDITORS: {
        ("programs", "budgetline"): ALL,
        # add + change on yearly metrics is also what the CSV import asks for.
        ("programs", "yearlymetric"): ALL,
        ("programs", "importbatch"): ("view",),
        ("programs", "program"): ("view",),
        ("programs", "indicator"): ("view",),
        ("policies", "source"): ("view",),
    },
    CONTENT_EDITORS: {
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


def rename_former_groups(stdout) -> None:
    for former, name in FORMER_NAMES.items():
        old = Group.objects.filter(name=former).first()
        if old is None:
            continue
        current = Group.objects.filter(name=name).first()
        if current is None:
            old.name = name
            old.save(update_fields=["name"])
            stdout.write(f"Renamed {former} → {name}")
        else:
            current.user_set.add(*old.user_set.all())
            old.delete()
            stdout.write(f"Merged {former} into {name}")


class Command(BaseCommand):
    help = f"Create the staff roles ({', '.join(ROLES)}) as groups. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        rename_former_groups(self.stdout)
        for name, grants in ROLES.items():
            group, created = Group.objects.get_or_create(name=name)
            permissions = role_permissions(grants)
            group.permissions.set(permissions)
            self.stdout.write(f"{'Created' if created else 'Updated'} {name}: {len(permissions)} permissions")
