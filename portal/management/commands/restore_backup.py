"""Restore a `dumpdata` backup into an empty database, history included, on SQLite or PostgreSQL.

This is `loaddata` with two differences:

- No history is recorded while loading. django-simple-history skips the raw saves of loaddata,
  but it records a change each time loaddata sets a many-to-many field (policies, programs). Those
  extra rows took history keys from the sequence, which PostgreSQL only resets once everything
  is in, so they collided with the dumped history rows and nothing was restored (SQLite, which
  takes the next free key, kept them as changes nobody made). Here the dump's own history rows
  are the history, exactly as they were.
- Each program's figures are recomputed once all rows are in, so they hold even where the dump's
  were stale or left out.

Like loaddata it runs in one transaction and resets the sequences of the tables it loaded.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError
from django.core.management.commands import loaddata
from django.db import router

from portal.cache import PORTAL_APPS
from portal.figures import refresh_all_figures


class Command(loaddata.Command):
    help = "Restore a dumpdata backup (README: Backup and restore) into an empty database, history included."

    def loaddata(self, fixture_labels):
        self._refuse_a_database_with_data()
        super().loaddata(fixture_labels)
        if self.loaded_object_count:
            refresh_all_figures()

    def save_obj(self, obj):
        # simple-history's documented switch; the instance is kept for the deferred fields too.
        obj.object.skip_history_when_saving = True
        return super().save_obj(obj)

    def _refuse_a_database_with_data(self):
        models = [model for name in sorted(PORTAL_APPS) for model in apps.get_app_config(name).get_models()]
        for model in [*models, get_user_model()]:
            if router.allow_migrate_model(self.using, model) and model._base_manager.using(self.using).exists():
                raise CommandError(
                    f"The database already holds data ({model._meta.label}): restore into an empty one "
                    "(createdb, then python manage.py migrate)."
                )
