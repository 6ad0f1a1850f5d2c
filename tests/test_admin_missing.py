"""An admin address that names no row, typed or edited by hand, answers 404 (or, for Django's
own change pages, its redirect with a message), never a 500."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.staff import staff_client

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def _missing_key(model):
    return "999999" if model._meta.pk.get_internal_type().endswith("AutoField") else "no-such-row"


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_hand_edited_admin_urls_for_a_missing_row_are_never_a_500(model):
    client, _ = staff_client(None)
    client.raise_request_exception = False
    opts = model._meta
    base = reverse("admin:index") + f"{opts.app_label}/{opts.model_name}/"
    missing = _missing_key(model)
    tracked = hasattr(model, "history")
    urls = {
        f"{base}{missing}/history/": 404 if tracked else 302,
        f"{base}{missing}/change/history/": 404 if tracked else 302,
        f"{base}not a number/history/": 404 if tracked else 302,
        f"{base}{missing}/change/": 302,
    }
    if tracked:
        urls[f"{base}{missing}/history/1/"] = 404
        urls[f"{base}{missing}/change/history/1/"] = 302  # Django sends it on to ".../change/"
        real = model._default_manager.order_by("pk").first()
        if real is not None:
            urls[f"{base}{real.pk}/history/999999/"] = 404
            urls[f"{base}{real.pk}/history/abc/"] = 404
            urls[f"{base}{real.pk}/change/history/"] = 404
    for url, expected in urls.items():
        response = client.get(url)
        assert response.status_code == expected, url
    # a model nobody may delete refuses before looking for the row
    assert client.get(f"{base}{missing}/delete/").status_code in (302, 403)


def test_a_clerk_gets_the_same_404_as_a_superuser():
    client, _ = staff_client("방문 기록 담당")
    client.raise_request_exception = False
    assert client.get("/admin/visits/visit/18/change/history/").status_code == 404
    assert client.get("/admin/visits/visit/999999/history/").status_code == 404
