"""The visit desk's clerk side: the queue and its moves, the warnings before accepting, the
e-mails of each move, the visits a done request records, the hosts' own programs, the calendar,
the iCalendar feed, and the follow-up that brings back what visitors took home."""

import datetime
import io
import threading

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase
from django.utils import timezone

from portal.models import ProgramFigures
from tests.factories import OrganizationFactory, ProgramFactory, VisitFactory
from tests.staff import admin_url, form_data, staff_client
from visits import desk
from visits.models import FollowUp, RequestState, Visit, VisitHosting, VisitRequest

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def local(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


SOON = timezone.localdate() + datetime.timedelta(days=40)


@pytest.fixture
def programs():
    first = ProgramFactory(slug="t-desk-a", name_ko="시험 방문 사업 가", name_en="Test desk program A")
    second = ProgramFactory(slug="t-desk-b", name_ko="시험 방문 사업 나", name_en="Test desk program B")
    for program in (first, second):
        VisitHosting.objects.create(
            program=program, takes_visits=True, groups_per_day=1, host_department_ko="시험 문화정책과"
        )
    return first, second


def make_request(programs, organization=None, language="ko", **fields) -> VisitRequest:
    values = {
        "contact_name": "김담당시험",
        "contact_email": "kim.desk@example.org",
        "contact_phone": "031-555-0100",
        "preferred_1": local(SOON, 10),
        "group_size": 15,
        "purpose": "문화재생 사례 견학",
        "visit_language": language,
        "requester_language": language,
        "consented_at": timezone.now(),
        "organization": organization,
        "new_organization_name": "" if organization else "시험 새 기관",
        "new_organization_kind": "" if organization else "local_government",
        "new_organization_region": "" if organization else "gyeonggi",
        **fields,
    }
    return desk.take_request(VisitRequest(**values), programs)


def post_change(client, request_obj, **values):
    url = admin_url(request_obj, "change", request_obj.pk)
    data = form_data(client.get(url))
    for name in ("preferred_1", "preferred_2", "preferred_3", "confirmed_start"):
        value = values.pop(name, getattr(request_obj, name))
        data.pop(name, None)
        when = timezone.localtime(value) if value else None
        data[f"{name}_0"] = when.date().isoformat() if when else ""
        data[f"{name}_1"] = when.strftime("%H:%M:%S") if when else ""
    data.update({k: str(v) for k, v in values.items()})
    with TestCase.captureOnCommitCallbacks(execute=True):  # the e-mails go once the change commits
        return client.post(url, data)


def form_errors(response) -> str:
    return str(response.context["adminform"].form.errors)


def test_a_clerk_accepts_and_the_requester_gets_a_bilingual_briefing(programs):
    request_obj = make_request(programs[:1])
    client, user = staff_client("방문 기록 담당")
    mail.outbox.clear()
    response = post_change(
        client, request_obj, state="accepted", confirmed_start=local(SOON, 14), host="홍 주무관", meeting_point="정문"
    )
    assert response.status_code == 302, form_errors(response)
    request_obj.refresh_from_db()
    assert request_obj.state == RequestState.ACCEPTED
    (message,) = mail.outbox
    assert "승인" in message.subject
    assert "확정 일시" in message.body and "Confirmed date and time" in message.body  # both languages
    assert "시험 방문 사업 가" in message.body and "Test desk program A" in message.body
    assert "홍 주무관" in message.body and "정문" in message.body
    assert f"/visits/request/{request_obj.status_token}/" in message.body
    assert request_obj.history.first().history_user == user
    status = Client_get(request_obj)
    assert timezone.localtime(request_obj.confirmed_start).strftime("%Y-%m-%d %H:%M") in status


def Client_get(request_obj) -> str:
    from django.test import Client

    return Client().get(request_obj.get_status_url()).content.decode()


@pytest.mark.parametrize(
    ("values", "field", "expected"),
    [
        ({"state": "done"}, "state", "‘접수’에서 ‘방문 완료’(으)로 바꿀 수 없습니다"),
        ({"state": "accepted", "confirmed_start": None}, "confirmed_start", "확정 일시를 적어"),
        ({"state": "declined"}, "decline_reason", "사유를 적어"),
    ],
)
def test_moves_the_desk_refuses(programs, values, field, expected):
    request_obj = make_request(programs[:1])
    client, _user = staff_client("방문 기록 담당")
    response = post_change(client, request_obj, **values)
    assert response.status_code == 200
    assert expected in str(response.context["adminform"].form.errors[field])
    request_obj.refresh_from_db()
    assert request_obj.state == RequestState.RECEIVED


def test_a_decline_sends_the_reason_and_the_alternatives_in_english(programs):
    request_obj = make_request(programs[:1], language="en")
    client, _user = staff_client("방문 기록 담당")
    mail.outbox.clear()
    response = post_change(
        client, request_obj, state="declined", decline_reason="Closed for works", alternative_dates="2 or 9 March"
    )
    assert response.status_code == 302, form_errors(response)
    (message,) = mail.outbox
    assert "declined" in message.subject
    assert "Closed for works" in message.body and "2 or 9 March" in message.body
    assert f"/en/visits/request/{request_obj.status_token}/" in message.body


def test_the_clerk_is_warned_of_a_repeat_within_two_years_and_a_full_day(programs):
    organization = OrganizationFactory(name_ko="시험 되풀이 기관")
    VisitFactory(program=programs[0], organization=organization, year=timezone.localdate().year - 1)
    taken = make_request(programs[:1], organization=organization, confirmed_start=local(SOON, 10), state="accepted")
    request_obj = make_request(programs[:1], organization=organization)
    client, _user = staff_client("방문 기록 담당")
    body = client.get(admin_url(request_obj, "change", request_obj.pk)).content.decode()
    assert "시험 되풀이 기관" in body and "방문했습니다" in body  # the visit log
    assert taken.reference in body  # the earlier request
    assert "예약이 다 찼습니다" in body  # the day's one slot is taken
    # And accepting that day is refused, not only warned about.
    response = post_change(client, request_obj, state="accepted", confirmed_start=local(SOON, 15))
    assert "예약이 다 찼습니다" in str(response.context["adminform"].form.errors["confirmed_start"])


def test_done_records_one_visit_per_program_and_undoing_it_removes_them(client, programs):
    past = timezone.localdate() - datetime.timedelta(days=3)
    request_obj = make_request(list(programs), state="accepted", confirmed_start=local(past, 10))
    clerk, _user = staff_client("방문 기록 담당")
    response = post_change(clerk, request_obj, state="done", people_came="14")
    assert response.status_code == 302, form_errors(response)
    visits = Visit.objects.filter(desk_request=request_obj).order_by("program__slug")
    assert [v.program.slug for v in visits] == ["t-desk-a", "t-desk-b"]
    visit = visits[0]
    assert (visit.visited_on, visit.year, visit.people, visit.purpose_ko) == (past, past.year, 14, "문화재생 사례 견학")
    assert visit.organization.name_ko == "시험 새 기관" and visit.organization.region == "gyeonggi"
    assert "방문 신청" in visit.source.title_ko
    assert "시험 새 기관" in client.get("/visits/?program=t-desk-a").content.decode()
    assert "시험 새 기관" in client.get("/visits/feed.atom").content.decode()
    assert ProgramFigures.objects.get(program=programs[0]).visit_count == 1

    request_obj.refresh_from_db()
    response = post_change(clerk, request_obj, state="accepted")
    assert response.status_code == 302, form_errors(response)
    assert not Visit.objects.filter(desk_request=request_obj).exists()
    assert "시험 새 기관" not in client.get("/visits/?program=t-desk-a").content.decode()


def test_done_needs_the_head_count_and_a_past_date(programs):
    request_obj = make_request(programs[:1], state="accepted", confirmed_start=local(SOON, 10))
    clerk, _user = staff_client("방문 기록 담당")
    response = post_change(clerk, request_obj, state="done")
    errors = form_errors(response)
    assert "실제 방문 인원을 적어" in errors and "방문일이 지나야" in errors


def test_a_host_sees_only_the_requests_for_the_programs_they_host(programs):
    mine = make_request(programs[:1])
    theirs = make_request(programs[1:])
    client, user = staff_client("방문 안내 담당")
    programs[0].hosting.hosts.add(user)
    listing = client.get(admin_url(VisitRequest)).content.decode()
    assert mine.reference in listing and theirs.reference not in listing
    assert client.get(admin_url(theirs, "change", theirs.pk)).status_code in (302, 404)
    assert client.get(admin_url(mine, "change", mine.pk)).status_code == 200


def test_the_calendar_and_the_icalendar_feed_list_accepted_visits(client, programs):
    accepted = make_request(programs[:1], state="accepted", confirmed_start=local(SOON, 10), meeting_point="정문")
    make_request(programs[:1])  # received: not on the calendar
    clerk, _user = staff_client("방문 기록 담당")
    week = clerk.get(f"/admin/visits/visitrequest/calendar/?week={SOON.isoformat()}").content.decode()
    assert "시험 새 기관" in week and "10:00" in week

    feed = client.get(f"/visits/calendar/{programs[0].hosting.calendar_token}.ics")
    assert feed["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert events[0]["location"] == "정문"
    assert events[0].decoded("dtstart") == accepted.confirmed_start
    assert b"kim.desk@example.org" not in feed.content and "김담당시험".encode() not in feed.content
    assert client.get("/visits/calendar/not-a-token.ics").status_code == 404


def test_follow_ups_are_sent_once_answered_once_and_shown_when_approved(client, programs, settings):
    settings.VISIT_FOLLOWUP_DAYS = 90
    long_ago = timezone.localdate() - datetime.timedelta(days=100)
    request_obj = make_request(programs[:1], state="accepted", confirmed_start=local(long_ago, 10))
    clerk, _user = staff_client("방문 기록 담당")
    assert post_change(clerk, request_obj, state="done", people_came="9").status_code == 302
    mail.outbox.clear()
    call_command("send_visit_followups", "--site-url", "https://portal.example", stdout=io.StringIO())
    call_command("send_visit_followups", "--site-url", "https://portal.example", stdout=io.StringIO())
    (message,) = mail.outbox
    follow_up = FollowUp.objects.get(request=request_obj)
    assert f"https://portal.example/visits/follow-up/{follow_up.token}/" in message.body

    page = f"/visits/follow-up/{follow_up.token}/"
    assert client.post(page, {"took_home": " ", "topics": ""}).status_code == 200  # refused: empty
    client.post(page, {"took_home": "주민 참여 예산 방식을 도입함", "topics": "주민 참여", "may_publish": "on"})
    follow_up.refresh_from_db()
    assert follow_up.answered_at and follow_up.may_publish
    assert "form" not in client.get(page).content.decode().split("<main")[1].split("</main>")[0]  # one time only
    assert "주민 참여 예산 방식을 도입함" not in client.get("/programs/t-desk-a/").content.decode()

    clerk.post(admin_url(FollowUp), {"action": "approve", "_selected_action": [follow_up.pk]})
    body = client.get("/programs/t-desk-a/").content.decode()
    assert "주민 참여 예산 방식을 도입함" in body and "시험 새 기관" in body
    assert "1개 기관" in body or "1 organization" in body


def answered(programs, organization, approved=True) -> FollowUp:
    request_obj = make_request(programs, organization=organization, state="done")
    return FollowUp.objects.create(
        request=request_obj,
        answered_at=timezone.now(),
        took_home="마을 공방 운영 방식을 도입함",
        may_publish=True,
        approved=approved,
    )


def adopted(program) -> int:
    return ProgramFigures.objects.get(program=program).adopted_count


def test_the_program_figures_count_the_organizations_whose_answers_are_published(client, programs):
    first, second = programs
    busan, daegu = OrganizationFactory(), OrganizationFactory()
    answer = answered(programs, busan, approved=False)
    assert adopted(first) == adopted(second) == 0  # not approved yet

    answer.approved = True
    answer.save()
    assert adopted(first) == adopted(second) == 1
    answered([first], busan)  # the same body again counts once
    answered([first], daegu)
    assert (adopted(first), adopted(second)) == (2, 1)
    assert "2개 기관" in client.get(first.get_absolute_url()).content.decode()

    answer.request.programs.remove(second)
    assert adopted(second) == 0
    second.visit_requests.add(answer.request)  # from the program's side
    assert adopted(second) == 1
    answer.request.programs.clear()
    assert (adopted(first), adopted(second)) == (2, 0)
    answer.request.programs.set(programs)
    answer.request.delete()
    assert (adopted(first), adopted(second)) == (2, 0)
    FollowUp.objects.filter(request__organization=daegu).delete()
    assert adopted(first) == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_clerks_accepting_the_last_slot_at_once_cannot_overbook(programs):
    first = make_request(programs[:1])
    second = make_request(programs[:1])
    start = local(SOON, 10)
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(request_obj):
        try:
            barrier.wait()
            with transaction.atomic():
                desk.confirm_slot(request_obj, programs[:1], start)
                # Both have checked before either writes, unless the lock makes one wait.
                threading.Event().wait(0.3)
                request_obj.state = RequestState.ACCEPTED
                request_obj.confirmed_start = start
                request_obj.save()
            outcomes.append("accepted")
        except Exception as error:  # noqa: BLE001 - the refusal is what is counted
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(r,)) for r in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ValidationError", "accepted"]
    assert VisitRequest.objects.filter(state=RequestState.ACCEPTED).count() == 1
