"""The public-page cache: pages served from the cache without queries, invalidated at once by
a staff change (admin or ORM, in this process or another one), never for staff or personal
responses, per language; on local memory and on Redis."""

import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory, override_settings

from portal import cache as page_cache
from programs.models import Indicator, Program
from tests.bounded import PAGE_FRAME_QUERIES
from tests.staff import admin_url, form_data, staff_client

PAGES = ["/", "/programs/", "/programs/palbok-art-factory/", "/visits/", "/policies/", "/indicators/"]


@pytest.fixture
def caching():
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=300):
        cache.clear()
        yield
        cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_second_request_is_served_from_the_cache_without_queries(caching, client, path, django_assert_num_queries):
    first = client.get(path)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "unsafe-inline" not in second["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/en/programs/palbok-art-factory/", "/visits/download.csv"])
def test_a_hit_is_answered_before_url_resolution_with_the_pages_own_headers(caching, client, path, monkeypatch):
    first = client.get(path)
    assert first["X-Cache"] == "miss"

    def unresolvable(*args, **kwargs):
        raise AssertionError("a cached page was resolved")

    monkeypatch.setattr("django.core.handlers.base.BaseHandler.resolve_request", unresolvable)
    second = client.get(path)
    assert second["X-Cache"] == "hit"
    assert second.content == first.content
    # What the middleware inside the cache's added when the page was built comes with the hit.
    assert {**second.headers, "X-Cache": "miss"} == dict(first.headers)
    assert {"Content-Length", "X-Frame-Options", "Content-Security-Policy"} <= set(second.headers)


@pytest.mark.django_db
def test_a_filtered_page_is_answered_before_url_resolution_in_any_order_of_its_filters(caching, client, monkeypatch):
    first = client.get("/programs/?visits=yes&category=facility&sort=visits")  # the form's order
    assert first["X-Cache"] == "miss"
    monkeypatch.setattr(
        "django.core.handlers.base.BaseHandler.resolve_request",
        lambda *args: pytest.fail("a cached page was resolved"),
    )
    for query in ("visits=yes&category=facility&sort=visits", "sort=visits&category=facility&visits=yes"):
        second = client.get(f"/programs/?{query}")
        assert second["X-Cache"] == "hit"
        assert second.content == first.content


@pytest.fixture
def fragments():
    """Page caching off, fragment caching on: every request runs its view and its template."""
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=0, PUBLIC_FRAGMENT_CACHE_SECONDS=300):
        cache.clear()
        yield
        cache.clear()


# With the page cache off, what a request asks the database once the {% cache %} fragments are
# built: only what is its own.
FRAGMENT_PAGES = {
    # The count, the page of visits, the form's programs, the sources of the filtered visits
    # (totals, charts: cached).
    "/visits/?region=gyeonggi": 4,
    # The count, the page of policies, their core values and terms, the form's two choices, the sources.
    "/policies/": 7,
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", FRAGMENT_PAGES)
def test_with_the_page_cache_off_shared_fragments_are_built_once(
    fragments, client, path, django_assert_max_num_queries
):
    first = client.get(path)
    assert first.status_code == 200 and "X-Cache" not in first
    with django_assert_max_num_queries(FRAGMENT_PAGES[path] + PAGE_FRAME_QUERIES):
        second = client.get(path)
    assert second.content == first.content


@pytest.mark.django_db
def test_fragments_follow_a_change_at_once(fragments, client, palbok, django_capture_on_commit_callbacks):
    from tests.factories import OrganizationFactory, VisitFactory

    page = palbok.get_absolute_url()
    client.get(page), client.get("/"), client.get("/visits/?region=ulsan")
    with django_capture_on_commit_callbacks(execute=True):
        VisitFactory(
            program=palbok, year=2024, organization=OrganizationFactory(name_ko="울산 시험 기관", region="ulsan")
        )
    for path in (page, "/", "/visits/?region=ulsan"):
        assert "울산 시험 기관" in client.get(path).content.decode(), path


@pytest.mark.django_db
def test_languages_are_cached_apart(caching, client):
    korean = client.get("/programs/palbok-art-factory/")
    english = client.get("/en/programs/palbok-art-factory/")
    assert "팔복예술공장" in korean.content.decode()
    assert english["X-Cache"] == "miss"
    assert "Palbok Art Factory" in english.content.decode()
    assert client.get("/en/programs/palbok-art-factory/").content == english.content


@pytest.mark.django_db
def test_a_save_shows_on_the_public_page_at_once(caching, client, palbok, django_capture_on_commit_callbacks):
    page = palbok.get_absolute_url()
    assert client.get(page)["X-Cache"] == "miss"
    assert client.get(page)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        palbok.name_ko = "팔복예술공장 (새 이름)"
        palbok.save()
    response = client.get(page)
    assert response["X-Cache"] == "miss"
    assert "팔복예술공장 (새 이름)" in response.content.decode()


@pytest.mark.django_db
def test_delete_and_many_to_many_changes_invalidate(caching, client, palbok):
    generation = page_cache.generation()
    palbok.policies.clear()
    assert page_cache.generation() > generation
    generation = page_cache.generation()
    palbok.awards.all().delete()
    assert page_cache.generation() > generation


@pytest.mark.django_db
def test_an_admin_change_shows_on_the_public_page_at_once(caching, client):
    indicator = Indicator.objects.get(code="visiting-organizations")
    page = f"/indicators/{indicator.code}/"
    assert client.get(page)["X-Cache"] == "miss"
    assert client.get(page)["X-Cache"] == "hit"

    staff, _ = staff_client(None)
    change_url = admin_url(indicator, "change", indicator.pk)
    data = form_data(staff.get(change_url))
    data["name_ko"] = "벤치마킹 방문 기관 수 (수정됨)"
    assert staff.post(change_url, data).status_code == 302

    response = client.get(page)
    assert response["X-Cache"] == "miss"
    assert "벤치마킹 방문 기관 수 (수정됨)" in response.content.decode()


@pytest.mark.django_db
def test_staff_pages_are_neither_cached_nor_served_from_the_cache(caching, client):
    staff, _ = staff_client(None)
    client.get("/programs/")  # an anonymous visitor fills the cache
    response = staff.get("/programs/")
    assert response.status_code == 200
    assert "X-Cache" not in response  # bypassed: a session cookie may mean a personal page
    Program.objects.filter(slug="palbok-art-factory").update(name_ko="비공개 초안")  # no signal
    assert "비공개 초안" in staff.get("/programs/palbok-art-factory/").content.decode()


def served(view):
    """The view as the site serves it: behind the page cache's middleware."""
    return page_cache.PublicPageCacheMiddleware(view)


def test_pages_with_a_cookie_or_a_csrf_token_are_not_cached(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    cache.clear()
    calls = []

    @page_cache.cache_public_page
    def with_cookie(request):
        calls.append("cookie")
        response = HttpResponse("hello")
        response.set_cookie("tracking", "1")
        return response

    @page_cache.cache_public_page
    def with_csrf(request):
        calls.append("csrf")
        return HttpResponse(f"token {get_token(request)}")

    factory = RequestFactory()
    for _ in range(2):
        assert served(with_cookie)(factory.get("/cookie/"))["X-Cache"] == "miss"
        assert served(with_csrf)(factory.get("/csrf/"))["X-Cache"] == "miss"
    assert calls == ["cookie", "csrf", "cookie", "csrf"]
    cache.clear()


def test_posts_and_long_query_strings_bypass_the_cache(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    cache.clear()
    calls = []

    @page_cache.cache_public_page(params=("q",))
    def view(request):
        calls.append(request.method)
        return HttpResponse("ok")

    factory = RequestFactory()
    for _ in range(2):
        served(view)(factory.post("/form/"))
        served(view)(factory.get("/list/", {"q": "x" * 600}))
    assert len(calls) == 4
    # A short query is stored once and served after.
    for _ in range(2):
        served(view)(factory.get("/list/", {"q": "x"}))
    assert len(calls) == 5
    cache.clear()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/programs/", "/programs/download.csv"])
def test_pages_tell_no_browser_or_proxy_to_keep_them(caching, client, path):
    # Django's cache_page would add Expires and max-age: browsers would keep showing a page after
    # staff changed it.
    for expected in ("miss", "hit"):
        response = client.get(path)
        assert response["X-Cache"] == expected
        assert "Expires" not in response
        assert "max-age" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_a_generation_bump_makes_the_next_request_a_miss(caching, client):
    assert client.get("/policies/")["X-Cache"] == "miss"
    assert client.get("/policies/")["X-Cache"] == "hit"
    page_cache.bump_generation()
    assert client.get("/policies/")["X-Cache"] == "miss"
    assert client.get("/policies/")["X-Cache"] == "hit"


def test_errors_streaming_private_and_cookie_varying_responses_are_not_cached(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    cache.clear()
    calls = []

    def counted(make):
        @page_cache.cache_public_page
        def view(request):
            calls.append(request.path)
            return make()

        return view

    def private():
        response = HttpResponse("mine")
        response["Cache-Control"] = "private"
        return response

    def varies_on_cookie():
        response = HttpResponse("yours")
        response["Vary"] = "Cookie"
        return response

    views = {
        "/error/": counted(lambda: HttpResponse("gone", status=404)),
        "/stream/": counted(lambda: StreamingHttpResponse(iter([b"a", b"b"]))),
        "/private/": counted(private),
        "/cookie/": counted(varies_on_cookie),
    }
    factory = RequestFactory()
    for _ in range(2):
        for path, view in views.items():
            assert served(view)(factory.get(path))["X-Cache"] == "miss"
    assert sorted(calls) == sorted([*views] * 2)
    cache.clear()


@pytest.mark.django_db
def test_a_cache_that_fails_on_store_still_serves_the_page(caching, client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", down)
    response = client.get("/programs/")
    assert (response.status_code, response["X-Cache"]) == (200, "miss")
    assert client.get("/programs/")["X-Cache"] == "miss"


def test_a_lost_generation_never_revives_old_pages(settings):
    cache.clear()
    old = page_cache.generation()
    cache.delete(page_cache.GENERATION_KEY)  # evicted, or the cache server restarted
    assert page_cache.generation() >= old
    page_cache.bump_generation()
    assert page_cache.generation() > old


# --- Redis ----------------------------------------------------------------------------------

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_available() -> bool:
    host, port = REDIS_URL.split("//")[1].split("/")[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache():
    """The default cache on Redis under a key prefix of its own, whose keys are removed after."""
    if not redis_available():
        message = f"no Redis at {REDIS_URL}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI starts one, so the Redis cache tests must run there")
        pytest.skip(f"{message} (the Redis cache is optional)")
    import redis

    prefix = f"jeonju-test-{uuid.uuid4().hex[:12]}"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=caches, PUBLIC_PAGE_CACHE_SECONDS=300):
        yield prefix
    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)
    assert not list(connection.scan_iter(f"{prefix}:*"))


@pytest.mark.django_db
def test_pages_are_cached_in_redis(redis_cache, client, django_assert_num_queries):
    import redis

    assert client.get("/programs/")["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        assert client.get("/programs/")["X-Cache"] == "hit"
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"{redis_cache}:*"))
    assert len(keys) >= 2  # the generation and the page


@pytest.mark.django_db
def test_a_change_in_another_process_invalidates_this_ones_pages(redis_cache, client):
    assert client.get("/visits/")["X-Cache"] == "miss"
    assert client.get("/visits/")["X-Cache"] == "hit"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "PYTEST_"))},
        "DJANGO_SETTINGS_MODULE": "jeonju.settings.local",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": redis_cache,
    }
    code = "import django; django.setup(); from portal.cache import bump_generation; bump_generation()"
    subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, check=True, timeout=60)
    assert client.get("/visits/")["X-Cache"] == "miss"


@pytest.mark.django_db
def test_cached_objects_follow_a_new_address_and_unknown_ones_stay_404(
    fragments, client, palbok, django_capture_on_commit_callbacks
):
    assert client.get("/programs/palbok-art-factory/").status_code == 200
    assert client.get("/programs/no-such-program/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        palbok.slug = "palbok-renamed"
        palbok.save()
    assert client.get("/programs/palbok-art-factory/").status_code == 404
    assert client.get("/programs/palbok-renamed/").status_code == 200
