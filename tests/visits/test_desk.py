"""The visit desk's public side: the "before you visit" panel, the request form and its
refusals, the acknowledgement, the private status page, and personal data kept off every
public page."""

import datetime
import re
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from portal.cache import generation
from tests.factories import OrganizationFactory, ProgramFactory
from visits import desk
from visits.models import ClosedPeriod, RequestState, VisitHosting, VisitRequest

pytestmark = pytest.mark.django_db

# A Tuesday a month ahead at 10:00, local time: inside the hours set below.
TODAY = timezone.localdate()


def next_weekday(weekday: int, after_days: int = 30) -> datetime.date:
    day = TODAY + datetime.timedelta(days=after_days)
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


VISIT_DAY = next_weekday(1)


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


@pytest.fixture
def hosted():
    program = ProgramFactory(slug="t-hosted", name_ko="시험 방문 사업", name_en="Test hosted program")
    hosting = VisitHosting.objects.create(
        program=program,
        takes_visits=True,
        groups_per_day=1,
        max_group_size=30,
        weekdays=[0, 1, 2, 3, 4],
        opens_at=datetime.time(9),
        closes_at=datetime.time(17),
        notice_days=14,
        languages=["ko", "en"],
        host_department_ko="시험 문화정책과",
        host_phone="063-000-0000",
    )
    return hosting


def form_data(**overrides) -> dict:
    data = {
        "programs": [VisitHosting.objects.get(program__slug="t-hosted").pk],
        "organization_name": "시험 수원시청",
        "organization_kind": "local_government",
        "organization_region": "gyeonggi",
        "organization_municipality": "수원시",
        "contact_name": "홍길동시험",
        "contact_email": "hong.test@example.org",
        "contact_phone": "031-555-0199",
        "preferred_1": f"{VISIT_DAY.isoformat()}T10:00",
        "group_size": "12",
        "purpose": "문화재생 사례 견학",
        "topics": "주민 참여",
        "visit_language": "ko",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def errors(response) -> str:
    return " ".join(str(e) for field in response.context["form"].errors.values() for e in field)


def test_the_program_page_shows_the_panel_and_says_what_is_not_known(client, hosted):
    body = client.get("/programs/t-hosted/").content.decode()
    assert "방문 전 안내" in body
    assert "시험 문화정책과" in body and "063-000-0000" in body
    assert "아직 안내되지 않음" in body  # no address, no e-mail given
    assert "/visits/request/?program=t-hosted" in body
    # A program that takes no requests has no panel.
    ProgramFactory(slug="t-closed")
    assert "before-you-visit" not in client.get("/programs/t-closed/").content.decode()


def test_a_request_is_taken_acknowledged_and_followed_on_its_private_page(client, hosted):
    form = client.get("/visits/request/?program=t-hosted")
    assert form.context["form"].initial["programs"] == [hosted.program]
    response = client.post("/visits/request/", form_data())
    assert response.status_code == 302
    request_obj = VisitRequest.objects.get()
    assert re.fullmatch(rf"{TODAY.year}-[{desk.REFERENCE_ALPHABET}]{{5}}", request_obj.reference)
    assert request_obj.state == RequestState.RECEIVED
    assert request_obj.organization is None and request_obj.new_organization_name == "시험 수원시청"
    assert list(request_obj.programs.all()) == [hosted.program]
    assert response["Location"] == f"/visits/request/{request_obj.status_token}/?sent=1"

    (message,) = mail.outbox
    assert message.to == ["hong.test@example.org"]
    assert request_obj.reference in message.subject and "접수" in message.subject
    assert f"http://testserver/visits/request/{request_obj.status_token}/" in message.body
    assert "시험 방문 사업" in message.body

    status = client.get(response["Location"])
    assert status["X-Robots-Tag"] == "noindex, nofollow"
    body = status.content.decode()
    assert request_obj.reference in body and "접수" in body
    assert "홍길동시험" not in body and "hong.test@example.org" not in body

    client.post(f"/visits/request/{request_obj.status_token}/", {"action": "cancel"})
    request_obj.refresh_from_db()
    assert request_obj.state == RequestState.CANCELLED
    assert request_obj.history.first().history_change_reason == "Cancelled by the requester"
    assert "Cancel this request" not in client.get(f"/en/visits/request/{request_obj.status_token}/").content.decode()


def test_the_acknowledgement_is_in_the_requesters_language(client, hosted):
    client.post("/en/visits/request/", form_data(visit_language="en"))
    (message,) = mail.outbox
    assert "received" in message.subject and "Dear 홍길동시험" in message.body
    assert "http://testserver/en/visits/request/" in message.body


def test_a_known_organization_is_matched_by_name_and_a_new_one_needs_kind_and_region(client, hosted):
    known = OrganizationFactory(name_ko="시험 대구 달서구청", name_en="Test Dalseo-gu Office")
    client.post("/visits/request/", form_data(organization_name="test dalseo-gu office", organization_kind=""))
    assert VisitRequest.objects.get().organization == known
    response = client.post(
        "/visits/request/", form_data(organization_name="처음 오는 기관", organization_kind="", organization_region="")
    )
    assert response.status_code == 200
    assert "전에 방문한 적 없는 기관은" in errors(response)
    assert VisitRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"preferred_1": f"{next_weekday(5).isoformat()}T10:00"}, "월요일, 화요일, 수요일, 목요일, 금요일에만"),
        ({"preferred_1": f"{VISIT_DAY.isoformat()}T18:30"}, "09:00부터 17:00까지"),
        ({"preferred_1": f"{next_weekday(1, after_days=3).isoformat()}T10:00"}, "14일 전까지"),
        ({"group_size": "45"}, "30명까지"),
        ({"consent": ""}, "동의가 없으면"),
        ({"contact_phone": "call me"}, "숫자로"),
        ({"preferred_1": "2020-01-01T10:00"}, "앞으로의 날짜"),
        ({"purpose": "가" * 1001}, "1000"),
    ],
)
def test_refusals_are_clear_and_save_nothing(client, hosted, overrides, expected):
    response = client.post("/visits/request/", form_data(**overrides))
    assert response.status_code == 200
    assert expected in errors(response), errors(response)
    assert 'role="alert"' in response.content.decode()
    assert not VisitRequest.objects.exists() and not mail.outbox


def test_a_closed_day_and_a_full_day_are_refused(client, hosted):
    ClosedPeriod.objects.create(hosting=hosted, first_day=VISIT_DAY, last_day=VISIT_DAY, reason_ko="시설 점검")
    response = client.post("/visits/request/", form_data())
    assert "휴관합니다 (시설 점검)" in errors(response)
    ClosedPeriod.objects.all().delete()

    accepted = VisitRequest.objects.create(
        contact_name="x",
        contact_email="x@example.org",
        contact_phone="010-0000-0000",
        new_organization_name="먼저 온 기관",
        preferred_1=timezone.now(),
        group_size=5,
        purpose="p",
        visit_language="ko",
        consented_at=timezone.now(),
        state=RequestState.ACCEPTED,
        confirmed_start=timezone.make_aware(datetime.datetime.combine(VISIT_DAY, datetime.time(14))),
    )
    accepted.programs.set([hosted.program])
    response = client.post("/visits/request/", form_data())
    assert "예약이 다 찼습니다" in errors(response)
    # The second preferred date is checked on its own.
    other_day = VISIT_DAY + datetime.timedelta(days=1)
    response = client.post("/visits/request/", form_data(preferred_1=f"{other_day.isoformat()}T10:00"))
    assert response.status_code == 302


def test_the_honeypot_refuses_a_bot(client, hosted):
    response = client.post("/visits/request/", form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert not VisitRequest.objects.exists()


def test_one_address_may_send_only_so_many_requests_an_hour(client, hosted, settings):
    settings.VISIT_REQUESTS_PER_HOUR = 2
    for n in range(2):
        day = VISIT_DAY + datetime.timedelta(days=7 * (n + 1))
        assert client.post("/visits/request/", form_data(preferred_1=f"{day.isoformat()}T10:00")).status_code == 302
    response = client.post("/visits/request/", form_data())
    assert response.status_code == 429
    assert "한 시간 뒤에" in response.content.decode()
    assert VisitRequest.objects.count() == 2
    # Another address is not held back.
    other = client.post("/visits/request/", form_data(), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 302


def test_a_mail_server_that_fails_loses_no_request(client, hosted):
    with mock.patch("visits.desk.send_mail", side_effect=ConnectionRefusedError("smtp down")):
        response = client.post("/visits/request/", form_data())
    request_obj = VisitRequest.objects.get()
    assert request_obj.mail_error.startswith("acknowledgement: smtp down")
    assert request_obj.acknowledgement_sent_at is None
    assert "보내지 못했으며" in client.get(response["Location"]).content.decode()


def test_a_request_does_not_empty_the_page_cache(client, hosted):
    before = generation()
    client.post("/visits/request/", form_data())
    assert VisitRequest.objects.exists()
    assert generation() == before


def test_contact_details_never_reach_a_public_page(client, hosted):
    client.post("/visits/request/", form_data())
    client.post("/en/visits/request/", form_data(contact_name="Jane Testperson", contact_email="jane.t@example.org"))
    secrets = ("홍길동시험", "hong.test@example.org", "031-555-0199", "Jane Testperson", "jane.t@example.org")
    pages = [
        "/",
        "/programs/",
        "/programs/t-hosted/",
        "/visits/",
        "/visits/download.csv",
        "/visits/download.json",
        "/visits/feed.atom",
        "/visits/feed.rss",
        "/visits/feeds/",
        "/programs/download.csv",
        "/indicators/",
        "/no-such-page/",
    ]
    for prefix in ("", "/en"):
        for page in pages:
            response = client.get(prefix + page)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            for secret in secrets:
                assert secret.encode() not in body, (prefix + page, secret)


def test_the_purge_erases_contact_details_after_the_retention_period(client, hosted, settings):
    client.post("/visits/request/", form_data())
    request_obj = VisitRequest.objects.get()
    settings.VISIT_REQUEST_RETENTION_DAYS = 365
    call_command("purge_visit_requests", stdout=mock.MagicMock())
    request_obj.refresh_from_db()
    assert request_obj.contact_email == "hong.test@example.org"  # the visit is still ahead

    later = request_obj.visit_time + datetime.timedelta(days=366)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("purge_visit_requests", stdout=mock.MagicMock())
        call_command("purge_visit_requests", stdout=mock.MagicMock())  # idempotent
    request_obj.refresh_from_db()
    assert (request_obj.contact_name, request_obj.contact_email, request_obj.contact_phone) == ("", "", "")
    assert request_obj.personal_data_erased_at == later
    assert request_obj.reference and request_obj.purpose == "문화재생 사례 견학"
    assert not VisitRequest.history.filter(contact_email="hong.test@example.org").exists()
