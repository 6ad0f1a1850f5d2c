"""Security headers, the deploy check, the admin lockout and the movable admin URL."""

import datetime
import importlib
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import clear_url_caches, path

ROOT = settings.BASE_DIR

# What jeonju/settings/production.py sets, applied to the test settings so that a real
# request/response cycle shows the headers (the production module itself needs PostgreSQL
# and collected static files; its check --deploy is run in a subprocess below).
PRODUCTION_LIKE = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$", r"^readyz$"],
}


def production_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="jeonju.settings.production",
        DJANGO_SECRET_KEY="x7Qd-" + "k9#Lm2$vP8@wR4^tY6&uN1*zB3(cF5)hJ0" * 2,
        DJANGO_ALLOWED_HOSTS="policy.jeonju.go.kr",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/jeonju_prod",
    )
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def assert_strict_csp(response):
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_check_deploy_is_clean_with_the_required_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_production_like_settings_are_the_production_settings():
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {sorted(PRODUCTION_LIKE)!r}}}))"
    )
    result = run_manage("shell", "-c", code, env=production_env(DJANGO_BEHIND_PROXY="true", DJANGO_PROXY_COUNT="1"))
    assert result.returncode == 0, result.stderr
    actual = json.loads(result.stdout.strip().splitlines()[-1])
    assert actual == json.loads(json.dumps(PRODUCTION_LIKE))


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_a_required_variable(missing):
    result = run_manage("check", env=production_env(**{missing: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The environment variable {missing} is required" in result.stderr


def test_production_behind_a_proxy_refuses_to_start_without_a_proxy_count():
    result = run_manage("check", env=production_env(DJANGO_BEHIND_PROXY="true"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_BEHIND_PROXY is set, so DJANGO_PROXY_COUNT must be set too" in result.stderr
    code = "from django.conf import settings; print(settings.PROXY_COUNT)"
    for count in ("1", "0"):  # 0 too, when it is said: the PROXY protocol gives the client's address
        result = run_manage(
            "shell", "-c", code, env=production_env(DJANGO_BEHIND_PROXY="true", DJANGO_PROXY_COUNT=count)
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[-1] == count
    # Not behind a proxy, the count may stay unset (0: the connection's address is the client's).
    result = run_manage("shell", "-c", code, env=production_env())
    assert result.returncode == 0 and result.stdout.split()[-1] == "0", result.stderr


def test_production_refuses_sqlite():
    result = run_manage("check", env=production_env(DATABASE_URL="sqlite:////tmp/x.sqlite3"))
    assert result.returncode != 0
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_a_real_response():
    with override_settings(**PRODUCTION_LIKE):
        client = Client()
        insecure = client.get("/healthz", HTTP_HOST="localhost")
        response = client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
        plain = client.get("/admin/login/")
    # The health check stays reachable over plain HTTP for the load balancer.
    assert insecure.status_code == 200
    # Plain HTTP is redirected to HTTPS; behind the proxy the request counts as secure.
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert_strict_csp(response)
    csrf_cookie = response.cookies["csrftoken"]
    assert csrf_cookie["secure"] is True


@pytest.mark.django_db
def test_session_cookie_is_secure_and_http_only(admin_user):
    with override_settings(**PRODUCTION_LIKE):
        client = Client()
        client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": admin_user.username, "password": "password"},
            HTTP_X_FORWARDED_PROTO="https",
        )
    assert response.status_code == 302
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True


@pytest.mark.django_db
def test_strict_csp_on_the_admin_login_page(client):
    assert_strict_csp(client.get("/admin/login/"))


@pytest.mark.django_db
def test_admin_locks_out_after_repeated_failed_logins():
    user = get_user_model().objects.create_superuser("clerk", "clerk@example.org", "right-password-123")
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5  # the default when AXES_FAILURE_LIMIT is not set
    client = Client()
    with override_settings(AXES_ENABLED=True):
        for attempt in range(1, limit):
            response = client.post("/admin/login/", {"username": user.username, "password": f"wrong-{attempt}"})
            assert response.status_code == 200, attempt  # the form again, with its error
        response = client.post("/admin/login/", {"username": user.username, "password": "wrong-last"})
        assert response.status_code == 429
        # Locked: even the right password is refused for the cool-off time.
        response = client.post("/admin/login/", {"username": user.username, "password": "right-password-123"})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        # Another account from the same address is not locked (lockout is per username and address).
        get_user_model().objects.create_superuser("other", "o@example.org", "other-password-123")
        response = client.post("/admin/login/?next=/admin/", {"username": "other", "password": "other-password-123"})
        assert response.status_code == 302


@pytest.mark.django_db
def test_failures_during_a_lockout_do_not_move_its_end():
    from axes.models import AccessAttempt

    user = get_user_model().objects.create_superuser("clerk", "clerk@example.org", "right-password-123")
    client = Client()

    def post(password):
        return client.post("/admin/login/?next=/admin/", {"username": user.username, "password": password})

    def back(minutes):
        """As if the lockout had begun `minutes` earlier."""
        attempt = AccessAttempt.objects.get(username=user.username)
        attempt.attempt_time -= datetime.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])

    with override_settings(AXES_ENABLED=True):
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            post(f"wrong-{attempt}")
        assert post("right-password-123").status_code == 429
        began = AccessAttempt.objects.get(username=user.username).attempt_time
        back(59)
        # An attacker keeps trying in the lockout's last minute: refused, and the end stays put.
        for attempt in range(3):
            assert post(f"still-wrong-{attempt}").status_code == 429
        attempt = AccessAttempt.objects.get(username=user.username)
        assert attempt.attempt_time == began - datetime.timedelta(minutes=59)
        assert attempt.failures_since_start == settings.AXES_FAILURE_LIMIT
        back(2)  # the hour since the lockout began is over
        response = post("right-password-123")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_lockout_cooloff_is_an_hour_by_default():
    assert settings.AXES_COOLOFF_TIME == 1.0


@pytest.fixture
def moved_admin():
    import jeonju.urls

    with override_settings(ADMIN_URL="city-office-7f3a/"):
        importlib.reload(jeonju.urls)
        clear_url_caches()
        yield "/city-office-7f3a/"
    importlib.reload(jeonju.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_the_admin_can_be_moved(moved_admin, client):
    assert client.get(f"{moved_admin}login/").status_code == 200
    assert client.get("/admin/login/").status_code == 404


@pytest.mark.django_db
def test_a_staff_login_lasts_a_working_day_and_ends_with_the_browser(admin_user):
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": admin_user.username, "password": "password"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    session = client.session
    assert session.get_expire_at_browser_close()
    assert session.get_expiry_age() == 8 * 60 * 60
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    expires = Session.objects.get(session_key=session.session_key).expire_date
    assert abs((expires - timezone.now()) - datetime.timedelta(hours=8)) < datetime.timedelta(minutes=1)


def test_the_session_length_is_a_setting():
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    env = production_env(DJANGO_SESSION_SECONDS="3600", DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE="false")
    result = run_manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["3600", "False"]


def raise_database_down(request):
    from django.db import OperationalError

    raise OperationalError("connection refused (test)")


urlpatterns = [path("database-down/", raise_database_down)]


def assert_permissions_policy(response):
    policy = dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert policy[feature] == "()", feature


@pytest.mark.django_db
def test_every_response_carries_a_permissions_policy(client, admin_user):
    responses = {
        "public page": client.get("/programs/"),
        "admin login": client.get("/admin/login/"),
        "404": client.get("/no-such-page/"),
        "health check": client.get("/healthz"),
    }
    client.force_login(admin_user)
    responses["admin"] = client.get("/admin/")
    with override_settings(ROOT_URLCONF=__name__):
        responses["database down"] = client.get("/database-down/")
    expected = {"public page": 200, "admin login": 200, "404": 404, "health check": 200, "admin": 200}
    expected["database down"] = 503
    assert {name: r.status_code for name, r in responses.items()} == expected
    for response in responses.values():
        assert_permissions_policy(response)
