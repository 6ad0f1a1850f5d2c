import pytest

from tests.faults.servers import Gunicorn, manage, site_env, throwaway_postgres


@pytest.fixture(scope="session")
def own_postgres():
    """A PostgreSQL cluster of the tests' own, on a free port; stopped and deleted afterwards."""
    with throwaway_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def portal_database(own_postgres):
    """The URL of a database on the throwaway cluster with the schema and the seed data."""
    url = own_postgres.createdb("portal")
    env = site_env(url)
    manage("migrate", "--noinput", env=env)
    manage("load_seed", env=env)
    return url


@pytest.fixture(scope="session")
def served_site(portal_database):
    """gunicorn (2 workers) serving the portal with the seed data from the throwaway database."""
    server = Gunicorn(site_env(portal_database, DATABASE_POOL_TIMEOUT="3"))
    yield server
    server.stop()
