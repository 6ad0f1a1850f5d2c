"""Hostile query strings on every public list: never a 500, nothing reflected unescaped."""

import pytest

LISTS = [
    "/policies/",
    "/programs/",
    "/visits/",
    "/indicators/",
    "/en/programs/",
    "/en/visits/",
    "/policies/download.csv",
    "/programs/download.json",
    "/visits/download.csv",
    "/visits/feed.atom",
    "/visits/feed.rss",
]
SCRIPT = "<script>alert('x')</script>"
SQL = "' OR 1=1; DROP TABLE visits_visit; --"
HOSTILE = [
    {"page": str(10**12)},
    {"page": "-1"},
    {"page": "0"},
    {"page": "last"},
    {"page": "1e9"},
    {"page": SCRIPT},
    {"q": SQL},
    {"q": SCRIPT},
    {"q": "%' UNION SELECT password FROM auth_user --"},
    {"q": "x" * 10_000},
    {"q": "\x00\x01\x7f"},
    {"q": "전주" * 2000},
    {"no_such_filter": "1", "also_unknown": SCRIPT},
    {"year": str(10**30)},
    {"year": "-5"},
    {"year": SCRIPT},
    {"year_from": "99999999999999999999", "year_to": "-1"},
    {"date_from": "2019-02-30", "date_to": "not-a-date"},
    {"date_from": "9999-12-31"},
    {"program": SQL},
    {"program": "palbok-art-factory' --"},
    {"policy": str(2**63)},
    {"value": "-1"},
    {"term": "1.5"},
    {"kind": SCRIPT},
    {"region": "seoul\x00"},
    {"sector": "welfare", "status": "<b>"},
    {"category": "facility" * 500},
    {"sort": SCRIPT},
    {"sort": "-id; DROP TABLE x"},
    {"visits": "maybe"},
    {"format": "xml"},
    {"lang": SCRIPT},
]
MARKERS = ["<script>alert", "<b>"]  # SQL-looking text may be echoed (escaped) in the search box


@pytest.mark.django_db
@pytest.mark.parametrize("path", LISTS)
def test_hostile_query_strings_never_break_a_list(client, path):
    from visits.models import Visit

    visits = Visit.objects.count()
    for params in HOSTILE:
        response = client.get(path, params)
        assert response.status_code in {200, 400, 404}, (path, params, response.status_code)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            body = response.content.decode()
            for marker in MARKERS:
                assert marker not in body, (path, params, marker)
    assert Visit.objects.count() == visits


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/programs/", "/visits/", "/policies/"])
def test_repeated_and_array_parameters(client, path):
    response = client.get(f"{path}?page=1&page=2&q=a&q=b&year[]=1&sort=name&sort=-visits")
    assert response.status_code in {200, 400, 404}
    response = client.get(f"{path}?%ZZ=%E0%A4%A&q=%C0%AF")  # broken percent-encoding and UTF-8
    assert response.status_code in {200, 400, 404}


@pytest.mark.django_db
def test_hostile_detail_slugs(client):
    for path in ["/programs/%3Cscript%3E/", "/policies/' OR 1=1/", "/indicators/" + "a" * 5000 + "/"]:
        assert client.get(path).status_code == 404
