"""What a cached page holds depends only on what is in its key: no client-sent header (a script
prefix, the scheme) leaks into what others are served, unknown query parameters neither change a
page nor add cache entries, and one client can add only so many pages a minute."""

import json

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory, override_settings
from django.urls import set_script_prefix

from portal import cache as page_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def caching():
    with override_settings(PUBLIC_PAGE_CACHE_SECONDS=300, PUBLIC_FRAGMENT_CACHE_SECONDS=300):
        cache.clear()
        yield
        cache.clear()


def page_entries() -> int:
    # Django's page keys and the Vary header lists it keeps beside them, in local memory:
    # ":1:views.decorators.cache.cache_page.<prefix>…" and "….cache_header.<prefix>…".
    return sum(1 for key in cache._cache if ":views.decorators.cache." in key)


def wsgi_get(path: str, **environ) -> tuple[str, str]:
    """A GET through Django's WSGI handler, as gunicorn calls it (the test client never sets the
    script prefix from SCRIPT_NAME; the WSGI handler does). As in the test client, the request
    keeps the test's database connection (and its transaction) open."""
    base = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET", **environ)
    status = []
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(WSGIHandler()(base, lambda s, headers: status.append(s)))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        set_script_prefix("/")
    return status[0], body.decode()


@pytest.mark.parametrize("path", ["/", "/programs/", "/programs/palbok-art-factory/", "/visits/"])
def test_a_script_prefix_sent_by_a_client_never_reaches_other_visitors(caching, path):
    status, poisoned = wsgi_get(path, SCRIPT_NAME="/evilprefix")
    assert status.startswith("200")
    assert "/evilprefix/" in poisoned  # that request's own links
    status, clean = wsgi_get(path)
    assert status.startswith("200")
    assert "/evilprefix" not in clean


def test_a_download_cached_over_http_is_not_served_to_https(caching, client):
    plain = client.get("/programs/download.json")
    assert json.loads(plain.content)["url"].startswith("http://")
    secure = client.get("/programs/download.json", secure=True)
    assert json.loads(secure.content)["url"].startswith("https://")


def test_scheme_and_host_make_entries_of_their_own_and_other_headers_do_not(caching, client):
    first = client.get("/programs/")
    assert first["X-Cache"] == "miss"
    assert client.get("/programs/", secure=True)["X-Cache"] == "miss"
    assert client.get("/programs/", HTTP_HOST="localhost")["X-Cache"] == "miss"
    # Headers outside the key (the unprefixed pages are Korean whatever the browser asks for; a
    # cookie that is not a session) neither split the entry nor change what others are served.
    entries = page_entries()
    for n in range(5):
        response = client.get("/programs/", HTTP_ACCEPT_LANGUAGE=f"en;q=0.{n + 1}", HTTP_COOKIE=f"_ga=x{n}")
        assert response["X-Cache"] == "hit"
        assert response.content == first.content
    assert page_entries() == entries


def test_a_host_not_allowed_is_refused_before_the_cache_and_logs_no_cache_failure(caching, client, caplog):
    with caplog.at_level("WARNING", logger="portal.cache"):
        assert client.get("/programs/", HTTP_HOST="evil.example").status_code == 400
    assert not [record for record in caplog.records if record.name == "portal.cache"]
    assert client.get("/programs/")["X-Cache"] == "miss"


def test_unknown_query_parameters_neither_change_the_page_nor_fill_the_cache(caching, client):
    first = client.get("/programs/?category=facility")
    entries = page_entries()
    for n in range(40):
        response = client.get(f"/programs/?category=facility&utm_source=x{n}&_={n}")
        assert response.status_code == 200
        assert response["X-Cache"] == "hit"
        assert response.content == first.content
    assert page_entries() == entries
    # Parameters the page reads still make pages of their own, in any order.
    other = client.get("/programs/?category=space&sort=name")
    assert other["X-Cache"] == "miss"
    assert client.get("/programs/?sort=name&category=space")["X-Cache"] == "hit"


def test_unknown_parameters_are_not_carried_into_the_page_links(caching, client):
    body = client.get("/visits/?year=2019&tracking=abc").content.decode()
    assert "tracking" not in body
    assert "year=2019" in body  # the download links keep the filter


def test_one_client_adds_only_so_many_pages_a_minute(caching, client):
    with override_settings(PUBLIC_PAGE_CACHE_STORES_PER_MINUTE=5):
        for n in range(12):
            assert client.get(f"/programs/?q=word{n}").status_code == 200
        stored = [client.get(f"/programs/?q=word{n}")["X-Cache"] for n in range(12)]
        assert stored.count("hit") == 5
        # Another client is not held back by the first.
        assert client.get("/programs/?q=other", REMOTE_ADDR="192.0.2.7")["X-Cache"] == "miss"
        assert client.get("/programs/?q=other", REMOTE_ADDR="192.0.2.7")["X-Cache"] == "hit"


def test_fragments_are_keyed_by_the_script_prefix(caching):
    try:
        set_script_prefix("/evilprefix/")
        poisoned = page_cache.fragment_key()
        set_script_prefix("/")
        assert page_cache.fragment_key() != poisoned
    finally:
        set_script_prefix("/")


def test_a_korean_and_an_english_download_are_cached_apart(caching, client):
    korean = client.get("/visits/download.csv")
    english = client.get("/en/visits/download.csv")
    assert (korean["X-Cache"], english["X-Cache"]) == ("miss", "miss")
    again_ko, again_en = client.get("/visits/download.csv"), client.get("/en/visits/download.csv")
    assert (again_ko["X-Cache"], again_en["X-Cache"]) == ("hit", "hit")
    assert again_ko.content == korean.content and again_en.content == english.content
    assert korean.content.decode("utf-8").startswith("\ufeff사업 코드,")
    assert english.content.decode("utf-8").startswith("\ufeffProgram code,")
    data_ko = json.loads(client.get("/visits/download.json").content)
    data_en = json.loads(client.get("/en/visits/download.json").content)
    assert (data_ko["metadata"]["language"], data_en["metadata"]["language"]) == ("ko", "en")
