"""Load the real seed data of fixtures/seed.json; load it again without undoing staff work.

Every row of the fixture has a fixed primary key. Each one is:

- created when it is missing and staff never deleted it (a first load, or a row new in the
  fixture);
- brought back to the fixture, many-to-many relations included, when staff never touched it
  but it differs (the fixture was corrected since);
- kept as staff left it when they changed or deleted it since it was loaded (a deleted row
  stays deleted);
- left alone when it is as in the fixture: loading twice writes nothing the second time.

History tells which rows staff touched. The rows are saved raw, as loaddata saves them, and
with no history record, not even for their many-to-many fields (which loaddata records as
changes), so any history record of a seed row was written by someone since: an admin save,
revert or deletion (with its user), the metric import (every row it writes, on its bulk path
and on its PostgreSQL COPY path, with its reason), or code that saves the models. One kind of
record is not counted: load_seed used to be plain loaddata, which recorded a change with no
user and no reason each time it set a program's policies or a policy's core values or terms,
so on those two models such records are taken for its own. (A change to a program or a policy
made in a shell with no user and no change reason looks the same: give it a reason.)

Core values and elected terms have no history, so nothing tells a staff edit of one from the
seed: one that exists is never changed, one that is missing is created (one that staff
deleted comes back, which loses no data).

A row that cannot be written without touching staff work is not loaded, and named: one whose
unique key another row holds (staff entered the same fact themselves), or one that refers to a
row that is not there (staff deleted it). A many-to-many link to a row that is not there is
left out.

All in one transaction; then, as loaddata does, the sequences of the tables are reset, and the
figures are recomputed. Prints how many rows were created, updated, left unchanged
and kept; `-v 2` names each kept row.
"""

import contextlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management import BaseCommand
from django.core.management.color import no_style
from django.core.serializers.base import DeserializedObject
from django.db import connection, models, transaction
from django.utils import translation

from portal import sitetexts
from portal.figures import refresh_all_figures

SEED_FIXTURE = settings.BASE_DIR / "fixtures" / "seed.json"

CREATED, UPDATED, UNCHANGED, KEPT, NOT_LOADED = "created", "updated", "unchanged", "kept", "not loaded"


def tracked(model: type[models.Model]) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def touched_by_staff(model: type[models.Model], pks: list) -> set:
    """The pks among `pks` with a history record someone other than the seed load wrote."""
    if not tracked(model):
        return set()
    pk_name = model._meta.pk.attname
    records = model.history.filter(**{f"{pk_name}__in": pks})
    if model.history.model._history_m2m_fields:
        # plain loaddata's records of the many-to-many fields it set (see the docstring)
        records = records.exclude(history_type="~", history_user__isnull=True, history_change_reason__isnull=True)
    return set(records.values_list(pk_name, flat=True))


@dataclass
class SeedRow:
    loaded: DeserializedObject
    fields: list[str]  # the fields the fixture gives
    stored: models.Model | None = None
    action: str = UNCHANGED
    why: str = ""

    @property
    def model(self) -> type[models.Model]:
        return type(self.loaded.object)

    @property
    def pk(self):
        return self.loaded.object.pk

    def __str__(self):
        label = f"{self.model._meta.label_lower} {self.pk}"
        with contextlib.suppress(ObjectDoesNotExist):  # a row referring to a deleted one has no name
            label = f"{label} ({self.stored or self.loaded.object})"
        return f"{label}: {self.why}"

    def mark(self, action: str, why: str = "") -> None:
        self.action, self.why = action, why

    def restore(self) -> None:
        if tracked(self.model):
            self.mark(UPDATED)
        else:
            self.mark(KEPT, "not history-tracked, so it may hold a staff edit")

    def differs(self) -> bool:
        opts = self.model._meta
        concrete = [opts.get_field(name) for name in self.fields if not opts.get_field(name).many_to_many]
        return any(f.value_from_object(self.loaded.object) != f.value_from_object(self.stored) for f in concrete)

    def links_differ(self) -> bool:
        return any(
            set(pks) != set(getattr(self.stored, name).values_list("pk", flat=True))
            for name, pks in self.loaded.m2m_data.items()
        )

    def key_taken(self) -> str:
        """Why another row holds this row's unique key, or ""."""
        self.loaded.object._state.adding = self.action == CREATED
        try:
            self.loaded.object.validate_unique()
            self.loaded.object.validate_constraints()
        except ValidationError as error:
            with translation.override("en"):
                return " ".join(error.messages)
        return ""


class Command(BaseCommand):
    help = (
        "Load (or refresh) the portal's seed data: policies, programs, visits, metrics, budgets, sources; "
        "rows staff changed or deleted since are kept as they are."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            rows = self.plan()
            for row in rows:
                if row.action in (CREATED, UPDATED):
                    row.loaded.object.skip_history_when_saving = True  # simple-history's switch
                    row.loaded.save()
            if any(row.action == CREATED for row in rows):
                with connection.cursor() as cursor:
                    for sql in connection.ops.sequence_reset_sql(no_style(), {row.model for row in rows}):
                        cursor.execute(sql)
            # The rows are saved raw, in any order: the figures are summed once all are in.
            refresh_all_figures()
            # The site's contact details and policy pages, where a database emptied since its
            # migrations (a flush) lacks them; never over staff's text.
            site_texts = sitetexts.create_missing(django_apps)
        self.report(rows, options["verbosity"])
        if site_texts and options["verbosity"] >= 1:
            self.stdout.write(f"Site texts: {site_texts} created with their defaults.")

    def plan(self) -> list[SeedRow]:
        entries = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
        objects = serializers.deserialize("python", entries)
        rows = [SeedRow(loaded, list(entry["fields"])) for entry, loaded in zip(entries, objects, strict=True)]

        by_model = defaultdict(list)
        for row in rows:
            by_model[row.model].append(row)
        present = {}  # model → the pks of its fixture rows there once loaded
        for model, group in by_model.items():
            pks = [row.pk for row in group]
            stored = model._base_manager.in_bulk(pks)
            touched = touched_by_staff(model, pks)
            for row in group:
                row.stored = stored.get(row.pk)
                if row.pk in touched:
                    row.mark(KEPT, "changed by staff since" if row.stored else "deleted by staff")
                elif row.stored is None:
                    row.mark(CREATED)
                elif row.differs():
                    row.restore()
            present[model] = set(stored) | {row.pk for row in group if row.action == CREATED}

        def is_present(model, pk) -> bool:
            return model not in present or pk in present[model]

        def left_out(row, why):
            if row.action == CREATED:
                present[row.model].discard(row.pk)
            row.mark(NOT_LOADED, why)

        for row in rows:
            if row.action in (CREATED, UPDATED) and (taken := row.key_taken()):
                left_out(row, taken)
        # A row not loaded may leave others referring to nothing: repeat until none does.
        dangling = True
        while dangling:
            dangling = False
            for row in rows:
                if row.action not in (CREATED, UPDATED):
                    continue
                for name in row.fields:
                    field = row.model._meta.get_field(name)
                    target = getattr(row.loaded.object, field.attname) if field.many_to_one else None
                    if target is not None and not is_present(field.related_model, target):
                        left_out(row, f"refers to {field.related_model._meta.label_lower} {target}, which is not there")
                        dangling = True
                        break

        for row in rows:
            for name, pks in row.loaded.m2m_data.items():
                related = row.model._meta.get_field(name).related_model
                row.loaded.m2m_data[name] = [pk for pk in pks if is_present(related, pk)]
            if row.action == UNCHANGED and row.links_differ():
                row.restore()
        return rows

    def report(self, rows: list[SeedRow], verbosity: int) -> None:
        if verbosity < 1:
            return
        counts = Counter(row.action for row in rows)
        summary = (
            f"Seed data ({SEED_FIXTURE.name}): {counts[CREATED]} created, {counts[UPDATED]} updated, "
            f"{counts[UNCHANGED]} unchanged, {counts[KEPT]} kept as staff changed them"
        )
        if counts[NOT_LOADED]:
            summary += f", {counts[NOT_LOADED]} not loaded"
        self.stdout.write(summary + ".")
        for row in rows:
            if row.action == NOT_LOADED:
                self.stdout.write(self.style.WARNING(f"  not loaded: {row}"))
            elif row.action == KEPT and verbosity >= 2:
                self.stdout.write(f"  kept: {row}")
