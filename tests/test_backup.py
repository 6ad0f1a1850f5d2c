"""Backup and restore as README.md (## Deployment) describes them: dumpdata/loaddata on any
database, pg_dump/pg_restore on PostgreSQL; a dump restored into an empty database holds the
same data."""

import json
import subprocess

import pytest

from tests.faults.servers import manage, site_env, throwaway_postgres

DATA_APPS = ["policies", "programs", "visits", "auth.user", "auth.group"]
DUMP_EXCLUDES = ["--exclude", "contenttypes", "--exclude", "auth.permission", "--exclude", "sessions"]


def portal_data(env, *, history=True) -> list:
    out = manage("dumpdata", *DATA_APPS, "--natural-foreign", env=env).stdout
    return [obj for obj in json.loads(out) if history or ".historical" not in obj["model"]]


def prepare(env):
    """A database with the seed, a staff account and one edit (so history rows exist too)."""
    manage("migrate", "--noinput", env=env)
    manage("load_seed", env=env)
    manage("setup_roles", env=env)
    code = (
        "from django.contrib.auth.models import User; from programs.models import Program;"
        "User.objects.create_superuser('backup-admin', 'b@example.org', 'pw');"
        "p = Program.objects.get(slug='palbok-art-factory'); p.address_en = 'Restored, Jeonju'; p.save()"
    )
    manage("shell", "-c", code, env=env)


@pytest.mark.slow
def test_dumpdata_restores_into_an_empty_database(tmp_path):
    source = site_env(f"sqlite:///{tmp_path / 'source.sqlite3'}")
    prepare(source)
    dump = tmp_path / "backup.json"
    manage("dumpdata", "--natural-foreign", *DUMP_EXCLUDES, "--output", str(dump), env=source)

    restored = site_env(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    manage("migrate", "--noinput", env=restored)
    manage("loaddata", str(dump), env=restored)

    # loaddata re-sets many-to-many fields, which django-simple-history records as new m2m
    # history rows; the data itself comes back exactly (pg_dump below keeps history exact too).
    expected = portal_data(source, history=False)
    assert any(obj["fields"].get("address_en") == "Restored, Jeonju" for obj in expected)
    assert portal_data(restored, history=False) == expected


@pytest.mark.slow
def test_pg_dump_restores_into_an_empty_database(tmp_path):
    with throwaway_postgres() as server:
        source = site_env(server.createdb("portal"))
        prepare(source)
        dump = tmp_path / "portal.dump"
        subprocess.run(
            [str(server.bindir / "pg_dump"), "-Fc", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres",
             "-f", str(dump), "portal"],
            check=True, timeout=120,
        )  # fmt: skip
        restored = site_env(server.createdb("portal_restored"))
        subprocess.run(
            [str(server.bindir / "pg_restore"), "--no-owner", "-h", "127.0.0.1", "-p", str(server.port),
             "-U", "postgres", "-d", "portal_restored", str(dump)],
            check=True, timeout=120,
        )  # fmt: skip
        expected = portal_data(source)
        assert portal_data(restored) == expected
        # The sequences come back too: a new row after the restore does not collide.
        code = "from policies.models import Source; Source.objects.create(publisher='p', title='t', year=2024)"
        manage("shell", "-c", code, env=restored)
