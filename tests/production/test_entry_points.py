"""The WSGI and ASGI entry points run the production settings unless told otherwise: a server
started without DJANGO_SETTINGS_MODULE refuses to start for want of its secrets, and with them
runs with DEBUG off, never with the local settings."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR

pytestmark = pytest.mark.skipif(
    (ROOT / ".env").exists(), reason="a .env file in the project folder would supply the variables"
)


def bare_env(**extra):
    """This process's environment without any Django setting or database, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST_", "REDIS_"))}
    env.update(extra)
    return env


def import_entry_point(module, env):
    code = f"import {module}; from django.conf import settings as s; print('DEBUG', s.DEBUG, s.SETTINGS_MODULE)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("module", ["jeonju.wsgi", "jeonju.asgi"])
def test_an_entry_point_without_settings_refuses_to_start_without_the_secrets(module):
    result = import_entry_point(module, bare_env())
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "The environment variable DJANGO_SECRET_KEY is required in production" in result.stderr


@pytest.mark.parametrize("module", ["jeonju.wsgi", "jeonju.asgi"])
def test_an_entry_point_without_settings_runs_production_with_debug_off(module):
    env = bare_env(
        DJANGO_SECRET_KEY="x7Qd-" + "k9#Lm2$vP8@wR4^tY6&uN1*zB3(cF5)hJ0" * 2,
        DJANGO_ALLOWED_HOSTS="policy.jeonju.go.kr",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/jeonju_prod",
    )
    result = import_entry_point(module, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["DEBUG", "False", "jeonju.settings.production"]


def test_manage_py_keeps_the_local_settings_for_development():
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "from django.conf import settings as s; print(s.SETTINGS_MODULE)"],
        cwd=ROOT,
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "jeonju.settings.local"
