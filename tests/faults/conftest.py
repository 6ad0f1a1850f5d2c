import pytest

from tests.faults.servers import Gunicorn, manage, site_env, throwaway_postgres


@pytest.fixture(scope="session")
def own_postgres():
    """A PostgreSQL cluster of the tests' own, on a free port; stopped and deleted afterwards."""
    with throwaway_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def served_site(own_postgres):
    """gunicorn (2 workers) serving the portal with the seed data from the throwaway database."""
    env = site_env(own_postgres.createdb("portal"), DATABASE_POOL_TIMEOUT="3")
    manage("migrate", "--noinput", env=env)
    manage("load_seed", env=env)
    server = Gunicorn(env)
    yield server
    server.stop()
