"""The admin metric import's confirm step: it confirms only a file the same user uploaded in the
same login session, whichever app server it reaches, and never opens another file by the name
it is sent; an upload left unconfirmed expires and is deleted."""

import datetime
import html
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.cache import caches
from django.test import Client
from django.utils import timezone, translation

from programs.models import ImportUpload, Unit, YearlyMetric
from programs.uploads import EXPIRED, GONE, NOT_YOURS
from tests.factories import IndicatorFactory, ProgramFactory
from tests.staff import admin_url, staff_client

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture
def program():
    """The program and indicators good_utf8.csv names."""
    IndicatorFactory(code="test-visitors", name_en="Test visiting organizations", unit=Unit.ORGANIZATIONS)
    IndicatorFactory(code="test-share", unit=Unit.PERCENT)
    return ProgramFactory(slug="test-gallery", name_en="Test Gallery")


def imported(program) -> int:
    return YearlyMetric.objects.filter(program=program).count()


def preview(client, name="good_utf8.csv") -> dict:
    """Upload a file from tests/programs/data; the confirm form's values as the page sends them,
    or {} when the page offers no confirmation."""
    with (DATA / name).open("rb") as file:
        response = client.post(admin_url(YearlyMetric, "import"), {"format": "0", "resource": "0", "import_file": file})
    assert response.status_code == 200
    confirm_form = response.context.get("confirm_form")
    return {name: confirm_form[name].value() for name in confirm_form.fields} if confirm_form else {}


def confirm(client, data):
    return client.post(admin_url(YearlyMetric, "process_import"), data)


def refused(response, message) -> bool:
    with translation.override("ko"):  # the admin speaks the site's default language
        text = str(message)
    return response.status_code == 400 and text in html.unescape(response.content.decode())


def later(monkeypatch, seconds):
    """Move forward the clocks the confirm token and the stored upload read."""
    moved = time.time() + seconds
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: moved))
    now = timezone.now() + datetime.timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: now)


@pytest.fixture
def temp_file():
    """A file of the server's own in its temp folder, where the library's storage used to look."""
    with tempfile.NamedTemporaryFile("w", prefix="jeonju-secret-", suffix=".txt", delete=False) as file:
        file.write("program,indicator,year,value,kind\nDB_PASSWORD=first-line-secret\n")
    path = Path(file.name)
    yield path
    path.unlink(missing_ok=True)


@pytest.mark.parametrize("name_of", [lambda p: p.name, str, lambda p: f"../{p.parent.name}/{p.name}"])
def test_confirm_of_a_file_the_user_did_not_upload_is_refused_without_reading_or_deleting_it(
    program, temp_file, name_of
):
    client, _ = staff_client("예산·통계 담당")
    response = confirm(client, {"import_file_name": name_of(temp_file), "original_file_name": "x.csv", "format": "0"})
    assert "first-line-secret" not in response.content.decode()
    assert temp_file.exists()
    assert refused(response, NOT_YOURS)
    assert imported(program) == 0


@pytest.mark.parametrize("name", ["no-such-upload", "../../etc/passwd", "", "1", "1:abc:def"])
def test_confirm_of_an_unknown_or_forged_name_is_a_clear_error(program, name):
    client, _ = staff_client("예산·통계 담당")
    preview(client)  # a real upload exists, and its id is 1 or near it
    response = confirm(client, {"import_file_name": name, "original_file_name": "x.csv", "format": "0"})
    assert refused(response, NOT_YOURS)
    assert imported(program) == 0


def test_a_changed_token_is_refused_and_changed_fields_beside_a_good_one_are_ignored(program):
    client, _ = staff_client("예산·통계 담당")
    data = preview(client)
    token = data["import_file_name"]
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert refused(confirm(client, {**data, "import_file_name": changed}), NOT_YOURS)
    response = confirm(client, {**data, "format": "7", "resource": "9", "original_file_name": "../x"})
    assert response.status_code == 302
    assert imported(program) == 4
    reasons = set(YearlyMetric.history.values_list("history_change_reason", flat=True))
    assert reasons == {"CSV import (admin) good_utf8.csv"}


def test_only_the_user_and_login_session_that_uploaded_a_file_may_confirm_it(program):
    client, user = staff_client("예산·통계 담당")
    other, _ = staff_client("예산·통계 담당", username="another-budget-editor")
    same_user_elsewhere = Client(headers={"accept-language": "en"})
    same_user_elsewhere.force_login(user)
    data = preview(client)
    assert refused(confirm(other, data), NOT_YOURS)
    assert refused(confirm(same_user_elsewhere, data), NOT_YOURS)
    assert imported(program) == 0
    assert confirm(client, data).status_code == 302  # the refusals left the upload in place
    assert imported(program) == 4


def test_a_confirmation_sent_twice_imports_once_and_then_is_a_clear_error(program):
    client, _ = staff_client("예산·통계 담당")
    data = preview(client)
    assert confirm(client, data).status_code == 302
    assert refused(confirm(client, data), GONE)
    assert ImportUpload.objects.count() == 0


def test_confirm_reaching_another_app_server_than_the_preview_imports_the_file(program, tmp_path, monkeypatch):
    server_a, server_b = tmp_path / "a", tmp_path / "b"
    server_a.mkdir()
    server_b.mkdir()
    client, _ = staff_client("예산·통계 담당")
    monkeypatch.setattr(tempfile, "tempdir", str(server_a))
    data = preview(client)
    preview(client, "bad_rows.csv")  # a refused preview leaves nothing behind in the folder either
    assert list(server_a.iterdir()) == []
    # The other server: its own temp folder and its own process-local caches; the database and
    # the session in it are shared.
    monkeypatch.setattr(tempfile, "tempdir", str(server_b))
    for cache in caches.all():
        cache.clear()
    response = confirm(client, data)
    assert response.status_code == 302
    assert imported(program) == 4


def test_an_unconfirmed_upload_expires_and_is_deleted_at_the_next_upload(program, settings, monkeypatch):
    settings.IMPORT_UPLOAD_MAX_AGE_SECONDS = 60
    client, _ = staff_client("예산·통계 담당")
    stale = preview(client)
    preview(client, "bad_rows.csv")
    later(monkeypatch, 61)
    assert refused(confirm(client, stale), EXPIRED)
    assert ImportUpload.objects.count() == 2  # kept until the next upload, and unusable
    assert imported(program) == 0
    fresh = preview(client)
    assert ImportUpload.objects.count() == 1  # the two expired uploads are gone, the new one kept
    assert confirm(client, fresh).status_code == 302
    assert ImportUpload.objects.count() == 0


def test_an_upload_over_the_limit_is_refused_and_stores_nothing(program, settings):
    settings.CSV_UPLOAD_MAX_BYTES = 100
    client, _ = staff_client("예산·통계 담당")
    assert preview(client) == {}
    assert ImportUpload.objects.count() == 0


def test_confirm_answers_get_with_method_not_allowed(program):
    client, _ = staff_client("예산·통계 담당")
    assert client.get(admin_url(YearlyMetric, "process_import")).status_code == 405


def test_confirm_needs_the_import_permission(program):
    client, _ = staff_client("콘텐츠 담당")
    data = preview(staff_client("예산·통계 담당", username="uploader")[0])
    assert confirm(client, data).status_code == 403
