"""What tests/test_backup.py reads from a database through `manage.py shell`, printed as JSON:
the row count and a checksum of every table of the portal apps and auth, and the tables whose
key sequence would hand out a key already taken."""

import datetime
import hashlib
import json

from django.apps import apps
from django.db import connection

APPS = ("policies", "programs", "visits", "auth")


def _cell(value) -> str:
    # dumpdata writes times to the millisecond (DjangoJSONEncoder), so that is what a JSON
    # backup can bring back; both databases give the other types back alike.
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    return repr(value)


def tracked_models():
    """Every model with a table in those apps: history and many-to-many tables too."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in APPS and not model._meta.proxy and model._meta.managed
    ]


def table_checksums() -> dict:
    tables = {}
    for model in tracked_models():
        columns = [field.attname for field in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*columns)
        digest = hashlib.sha256()
        count = 0
        for row in rows.iterator():
            digest.update("\x1f".join(map(_cell, row)).encode() + b"\x1e")
            count += 1
        tables[model._meta.db_table] = [count, digest.hexdigest()]
    return tables


def sequences_behind() -> list:
    """PostgreSQL tables whose next generated key is not above every key in the table."""
    behind = []
    with connection.cursor() as cursor:
        for model in tracked_models():
            pk = model._meta.pk
            if pk.get_internal_type() not in {"AutoField", "BigAutoField", "SmallAutoField"}:
                continue
            table = model._meta.db_table
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
            sequence = cursor.fetchone()[0]
            cursor.execute(f'SELECT nextval(%s), (SELECT max("{pk.column}") FROM "{table}")', [sequence])
            following, largest = cursor.fetchone()
            if largest is not None and following <= largest:
                behind.append(table)
    return behind


def print_json(value) -> None:
    print(json.dumps(value))
