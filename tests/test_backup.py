"""Backup and restore as README.md (## Deployment) describes them: dumpdata/restore_backup on
any database and between SQLite and PostgreSQL, pg_dump/pg_restore on PostgreSQL; a dump
restored into an empty database holds the same rows in every table, history included."""

import contextlib
import json
import subprocess

import pytest
from django.core.management import CommandError, call_command

from tests.faults.servers import manage, site_env, throwaway_postgres

DUMP_EXCLUDES = [
    "--exclude",
    "contenttypes",
    "--exclude",
    "auth.permission",
    "--exclude",
    "sessions",
    "--exclude",
    "programs.importupload",
]


def prepare(env):
    """A database with the seed, a staff account and edits of a program and a policy (so history
    rows exist too, of their many-to-many fields included: loading the seed writes none)."""
    manage("migrate", "--noinput", env=env)
    manage("load_seed", env=env)
    manage("setup_roles", env=env)
    code = (
        "from django.contrib.auth.models import User; from programs.models import Program;"
        "from policies.models import Policy;"
        "User.objects.create_superuser('backup-admin', 'b@example.org', 'pw');"
        "p = Program.objects.get(slug='palbok-art-factory'); p.address_en = 'Restored, Jeonju'; p.save();"
        "q = Policy.objects.get(slug='culture-regeneration'); q.department_en = 'Restored department'; q.save()"
    )
    manage("shell", "-c", code, env=env)


def shell_json(code, env):
    return json.loads(
        manage("shell", "--no-imports", "-c", f"from tests.backup_checks import *; {code}", env=env).stdout
    )


def checksums(env) -> dict:
    return shell_json("print_json(table_checksums())", env)


# A row in every history-tracked model, through the models' own saves (history and
# many-to-many rows included), after the restore: no key collides with a restored one.
NEW_ROWS = """
from django.contrib.auth.models import Group, User
from policies.models import CoreValue, ElectedTerm
from programs.models import Award, Milestone
from tests.factories import *
SourceFactory()
policy = PolicyFactory()
policy.core_values.set(CoreValue.objects.all()[:2])
policy.terms.set([ElectedTerm.objects.create(number=99, name='t', start_year=2030, end_year=2034)])
program = ProgramFactory(policies=[policy])
VisitFactory(program=program)
YearlyMetricFactory(program=program)
BudgetLineFactory(program=program)
Milestone.objects.create(program=program, year=2030, title='after the restore')
Award.objects.create(program=program, name='after the restore', year=2030)
User.objects.create_user('after-restore').groups.set(Group.objects.all())
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("source_db", "restored_db"),
    [("sqlite", "sqlite"), ("postgresql", "postgresql"), ("sqlite", "postgresql")],
    ids=["sqlite-to-sqlite", "postgresql-to-postgresql", "sqlite-to-postgresql"],
)
def test_a_json_backup_restores_every_table_exactly(tmp_path, source_db, restored_db):
    with contextlib.ExitStack() as stack:
        servers = []

        def database(kind, name):
            if kind == "sqlite":
                return site_env(f"sqlite:///{tmp_path / name}.sqlite3")
            if not servers:
                servers.append(stack.enter_context(throwaway_postgres()))
            return site_env(servers[0].createdb(name))

        source = database(source_db, "source")
        prepare(source)
        # Figures left stale by a write outside the portal: the restored ones are recomputed.
        stale = "from portal.models import ProgramFigures; ProgramFigures.objects.update(visit_count=999)"
        manage("shell", "-c", stale, env=source)
        dump = tmp_path / "backup.json"
        manage("dumpdata", "--natural-foreign", *DUMP_EXCLUDES, "--output", str(dump), env=source)
        manage("refresh_program_figures", env=source)

        restored = database(restored_db, "restored")
        manage("migrate", "--noinput", env=restored)
        manage("restore_backup", str(dump), env=restored)

        expected = checksums(source)
        assert (
            expected["programs_historicalprogram"][0] > 0 and expected["policies_historicalpolicy_core_values"][0] > 0
        )
        assert checksums(restored) == expected  # every table, its history and many-to-many rows included
        if restored_db == "postgresql":
            assert shell_json("print_json(sequences_behind())", restored) == []
        manage("shell", "-c", NEW_ROWS, env=restored)


def test_a_backup_is_restored_into_an_empty_database_only(db, tmp_path):
    dump = tmp_path / "backup.json"
    dump.write_text("[]")
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore_backup", str(dump))


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
        assert checksums(restored) == checksums(source)
        assert shell_json("print_json(sequences_behind())", restored) == []
        manage("shell", "-c", NEW_ROWS, env=restored)
