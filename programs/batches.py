"""Import batches: every import (metrics, visits, budget lines; admin or command) is recorded as
an ImportBatch, and the history rows it writes carry it (ImportTagged). Undoing a batch reads
those history rows back and puts every row it touched as it was before, in one transaction:
rows it created are deleted, rows it changed get their previous values, rows an undo deleted
are created again (the undo of an undo). It is refused, naming the rows, if anything changed
one of them after the batch. The undo is a batch itself, so the history shows it and it can be
undone in turn.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from typing import BinaryIO

from django.apps import apps
from django.db import transaction
from django.db.models import PROTECT, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ImportBatch, ImportKind
from .signals import batch_undone

# The models an import writes, in the order their rows are created (an organization before the
# visits that name it); undoing deletes in the reverse order. The apps above this one add theirs
# (register_batch_models), as this app knows nothing of them.
BATCH_MODELS = ["programs.YearlyMetric", "programs.BudgetLine"]
# What a clerk needs, by kind of import, to undo one: the right to change and delete its rows.
UNDO_PERMISSIONS = {
    ImportKind.METRICS: ("programs.change_yearlymetric", "programs.delete_yearlymetric"),
    ImportKind.BUDGET: ("programs.change_budgetline", "programs.delete_budgetline"),
}


def register_batch_models(kind: str, labels: Iterable[str]) -> None:
    """Called by an app above this one (from its AppConfig.ready) for the models its import of
    `kind` writes, in the order their rows are created."""
    for label in labels:
        if label not in BATCH_MODELS:
            BATCH_MODELS.append(label)
    app = labels[0].split(".")[0]
    UNDO_PERMISSIONS[kind] = tuple(
        f"{app}.{action}_{label.split('.')[1].lower()}" for label in labels for action in ("change", "delete")
    )


# How many conflicting rows a refusal names.
CONFLICTS_SHOWN = 20


class UndoRefused(Exception):
    """The batch cannot be undone as a whole; the message says why and names the rows."""


def file_fingerprint(data: bytes | BinaryIO) -> tuple[int, str]:
    """A file's size and SHA-256, read a chunk at a time; a stream is left at its start."""
    stream = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return size, digest.hexdigest()


def start_batch(kind: str, data: bytes | BinaryIO, *, user_id: int | None, file_name: str) -> ImportBatch:
    size, sha256 = file_fingerprint(data)
    return ImportBatch.objects.create(
        kind=kind, user_id=user_id, file_name=file_name[:255], file_size=size, file_sha256=sha256
    )


def finish_batch(batch: ImportBatch, counts: dict[str, int]) -> None:
    batch.created_count, batch.updated_count = counts["created"], counts["updated"]
    batch.unchanged_count = counts["unchanged"]
    batch.save(update_fields=["created_count", "updated_count", "unchanged_count"])


def earlier_imports(kind: str, data: bytes | BinaryIO) -> list[ImportBatch]:
    """The batches that imported the same file before and stand (not undone), newest first."""
    _size, sha256 = file_fingerprint(data)
    batches = ImportBatch.objects.filter(kind=kind, file_sha256=sha256, undone_by__isnull=True)
    return list(batches.select_related("user"))


def touched_rows(batch: ImportBatch, limit: int = 50) -> tuple[list[tuple[str, object]], int]:
    """The history rows the batch wrote, as ("+" created / "~" changed / "-" deleted, the history
    row), the first `limit` of them, and how many there are."""
    shown, total = [], 0
    for model in _models():
        records = model.history.filter(import_batch=batch).order_by("history_id")
        count = records.count()
        total += count
        if count and len(shown) < limit:
            shown += [(record.history_type, record) for record in records[: limit - len(shown)]]
    return shown, total


def earlier_import_warnings(kind: str, path, outcome) -> list[str]:
    """What an import command says of a file imported before (and not undone), once `outcome`
    (its own import's) has read it well."""
    with open(path, "rb") as stream:
        return [
            _("This same file was imported before: import #%(pk)s, %(when)s, by %(user)s.")
            % {
                "pk": batch.pk,
                "when": timezone.localtime(batch.created_at).strftime("%Y-%m-%d %H:%M"),
                "user": batch.user or "-",
            }
            for batch in earlier_imports(kind, stream)
            if batch.pk != outcome.batch_pk
        ]


def _models():
    return [apps.get_model(label) for label in BATCH_MODELS]


def conflicts(batch: ImportBatch) -> list[str]:
    """The rows of the batch that changed after it (their latest history row is not its own),
    and the organizations it created that rows outside it now name: "model #id" each."""
    found = []
    for model in _models():
        history = model.history.model
        mine = history.objects.filter(import_batch=batch)
        ids = list(mine.values_list("id", flat=True))
        if not ids:
            continue
        latest = dict(history.objects.filter(id__in=ids).order_by().values_list("id").annotate(last=Max("history_id")))
        own = set(mine.values_list("history_id", flat=True))
        label = model._meta.verbose_name
        found += [f"{label} #{pk}" for pk, last in sorted(latest.items()) if last not in own]
    found += _still_named(batch)
    return found


def _still_named(batch: ImportBatch) -> list[str]:
    """Rows the batch created that a row outside it now names through a protected foreign key
    (an organization an import created, named by a visit typed in since): they cannot go."""
    found = []
    models = _models()
    created = {
        model: set(model.history.filter(import_batch=batch, history_type="+").values_list("id", flat=True))
        for model in models
    }
    for model in models:
        if not created[model]:
            continue
        for relation in model._meta.related_objects:
            if not relation.one_to_many or relation.on_delete is not PROTECT:
                continue
            naming = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": created[model]})
            naming = naming.exclude(pk__in=created.get(relation.related_model, ()))
            for row in naming[:CONFLICTS_SHOWN]:
                found.append(
                    _("%(row)s, named by %(other)s")
                    % {"row": getattr(row, relation.field.name), "other": f"{row._meta.verbose_name} #{row.pk}"}
                )
    return found


def undo(batch: ImportBatch, *, user_id: int | None) -> ImportBatch:
    """Undo a batch as a whole, in one transaction; returns the undo's own batch. Raises
    UndoRefused (nothing changed) when it was undone already or a row changed after it."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if ImportBatch.objects.filter(undoes=batch).exists():
            raise UndoRefused(_("Import #%(pk)s has been undone already.") % {"pk": batch.pk})
        found = conflicts(batch)
        if found:
            shown = ", ".join(found[:CONFLICTS_SHOWN])
            more = len(found) - CONFLICTS_SHOWN
            message = _(
                "Import #%(pk)s cannot be undone: these rows changed after it (undo or correct those changes "
                "first): %(rows)s"
            ) % {"pk": batch.pk, "rows": shown}
            if more > 0:
                message += " " + _("and %(n)s more") % {"n": more}
            raise UndoRefused(message)
        reverse_of = ImportBatch.objects.create(kind=ImportKind.UNDO, user_id=user_id, undoes=batch)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        touched: dict[type, list] = {}
        now = timezone.now()
        history = {"default_user": reverse_of.user, "default_change_reason": reverse_of.reason, "default_date": now}
        models = _models()
        # Deletions first, the later models' before the earlier ones'; then restores and re-creations.
        for model in reversed(models):
            created = model.history.filter(import_batch=batch, history_type="+")
            ids = list(created.values_list("id", flat=True))
            if ids:
                rows = list(model._base_manager.filter(pk__in=ids))
                _record_deletions(model, rows, reverse_of, history)
                model._base_manager.filter(pk__in=ids)._raw_delete(model._base_manager.db)
                counts["updated"] += len(rows)
                touched.setdefault(model, []).extend(rows)
        for model in models:
            records = model.history.filter(import_batch=batch).exclude(history_type="+")
            changed = [r for r in records if r.history_type == "~"]
            deleted = [r for r in records if r.history_type == "-"]
            if changed:
                previous = _previous_records(model, changed)
                rows = [previous[r.history_id].instance for r in changed]
                fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
                _bulk_update(model, rows, fields, reverse_of, history)
                counts["updated"] += len(rows)
                touched.setdefault(model, []).extend(rows)
            if deleted:
                rows = [r.instance for r in deleted]
                _bulk_create(model, rows, reverse_of, history)
                counts["created"] += len(rows)
                touched.setdefault(model, []).extend(rows)
        finish_batch(reverse_of, counts)
        _announce(touched)
    return reverse_of


def _previous_records(model, records) -> dict[int, object]:
    """For each history row, the one before it of the same object: its state before the batch
    (two queries, whatever the number of rows)."""
    history = model.history.model
    before = history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
    previous = dict(
        history.objects.filter(history_id__in=[record.history_id for record in records])
        .annotate(previous=Subquery(before.order_by("-history_id").values("history_id")[:1]))
        .values_list("history_id", "previous")
    )
    rows = history.objects.in_bulk([pk for pk in previous.values() if pk is not None])
    found = {}
    for record in records:
        found[record.history_id] = rows.get(previous.get(record.history_id))
        if found[record.history_id] is None:  # pragma: no cover - an update always has a row before it
            raise UndoRefused(_("The history of %(row)s is incomplete.") % {"row": record})
    return found


def _record_deletions(model, rows, batch: ImportBatch, history: dict) -> None:
    """The "deleted" history rows of `rows`, as django-simple-history writes for a delete."""
    historical = model.history.model
    historical.objects.bulk_create(
        [
            historical(
                history_date=history["default_date"],
                history_user=history["default_user"],
                history_change_reason=history["default_change_reason"],
                history_type="-",
                import_batch=batch,
                **{field.attname: getattr(row, field.attname) for field in historical.tracked_fields},
            )
            for row in rows
        ],
        batch_size=1000,
    )


def _bulk_update(model, rows, fields, batch, history) -> None:
    from simple_history.utils import bulk_update_with_history

    bulk_update_with_history(
        rows, model, fields, batch_size=500, custom_historical_attrs={"import_batch": batch}, **history
    )


def _bulk_create(model, rows, batch, history) -> None:
    from simple_history.utils import bulk_create_with_history

    bulk_create_with_history(rows, model, batch_size=1000, custom_historical_attrs={"import_batch": batch}, **history)


def _announce(touched: dict[type, Iterable]) -> None:
    """Tell what is derived from the rows (the figures, the page cache) that they changed."""
    batch_undone.send(ImportBatch, rows={model: list(rows) for model, rows in touched.items()})
