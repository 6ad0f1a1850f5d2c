"""The visit desk's writes: taking a request in, and the e-mails it sends.

A request is saved before any e-mail is tried, so a mail server that fails loses nothing: the
failure is kept on the request for staff to see, and `send_acknowledgement` can be run again.
"""

from __future__ import annotations

import datetime
import logging
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from policies.models import Source

from .models import FollowUp, Organization, RequestState, Visit, VisitHosting, VisitRequest

logger = logging.getLogger("visits.desk")


def booked_groups(program, day: datetime.date, *, exclude=None) -> int:
    """The groups accepted for `program` on `day`."""
    accepted = VisitRequest.objects.filter(
        programs=program, state__in=(RequestState.ACCEPTED, RequestState.DONE), confirmed_start__date=day
    )
    if exclude is not None:
        accepted = accepted.exclude(pk=exclude.pk)
    return accepted.count()


def refusals(programs, times: list[datetime.datetime], group_size: int | None, today=None) -> dict[int, list[str]]:
    """For each preferred time (by its index), why a program of the request cannot take it."""
    today = today or timezone.localdate()
    hostings = {
        hosting.program_id: hosting
        for hosting in VisitHosting.objects.filter(program__in=programs)
        .select_related("program")
        .prefetch_related("closed_days")
    }
    problems: dict[int, list[str]] = {}
    for index, when in enumerate(times):
        local = timezone.localtime(when) if timezone.is_aware(when) else when
        found = []
        for program in programs:
            hosting = hostings.get(program.pk) or VisitHosting(program=program)
            found += hosting.refusals(local, group_size, today, booked_groups(program, local.date()))
        if found:
            problems[index] = found
    return problems


REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY346789"  # no 0/O, 1/I, 2/Z, 5/S, B/8: read out on the phone


def new_reference() -> str:
    """A request's reference number: the year and five characters, e.g. 2026-K7MPD."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))
    return f"{timezone.localdate().year}-{code}"


def take_request(request_obj: VisitRequest, programs) -> VisitRequest:
    """Save a new request with its reference number (set before the first save, so every history
    record, and any version restored from it, carries it)."""
    for _attempt in range(5):
        request_obj.reference = new_reference()
        try:
            with transaction.atomic():
                request_obj.save()
                request_obj.programs.set(programs)
            return request_obj
        except IntegrityError:
            if not VisitRequest.objects.filter(reference=request_obj.reference).exists():
                raise
            request_obj.pk = None
    raise IntegrityError("No free reference number after five tries")


def _mail(request_obj: VisitRequest, template: str, context: dict, status_url: str) -> bool:
    """Send one of the desk's e-mails in the requester's language; keep a failure on the request."""
    with translation.override(request_obj.requester_language):
        context = {"request": request_obj, "status_url": status_url, **context}
        subject = render_to_string(f"visits/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"visits/email/{template}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [request_obj.contact_email])
    except Exception as error:  # any transport failure: the request stays, the failure is shown
        logger.warning("Visit request %s: e-mail %s failed", request_obj.reference, template, exc_info=True)
        VisitRequest.objects.filter(pk=request_obj.pk).update(mail_error=f"{template}: {error}"[:300])
        request_obj.mail_error = f"{template}: {error}"[:300]
        return False
    if request_obj.mail_error:
        VisitRequest.objects.filter(pk=request_obj.pk).update(mail_error="")
        request_obj.mail_error = ""
    return True


def send_acknowledgement(request_obj: VisitRequest, status_url: str) -> bool:
    sent = _mail(request_obj, "acknowledgement", {"programs": list(request_obj.programs.all())}, status_url)
    if sent:
        request_obj.acknowledgement_sent_at = timezone.now()
        VisitRequest.objects.filter(pk=request_obj.pk).update(
            acknowledgement_sent_at=request_obj.acknowledgement_sent_at
        )
    return sent


def cancel(request_obj: VisitRequest) -> bool:
    """The requester cancels from the status page; only a request the desk has not closed."""
    with transaction.atomic():
        locked = VisitRequest.objects.select_for_update().get(pk=request_obj.pk)
        if not locked.cancellable:
            return False
        locked.state = RequestState.CANCELLED
        locked._change_reason = "Cancelled by the requester"
        locked.save(update_fields=["state"])
    request_obj.state = RequestState.CANCELLED
    return True


PERSONAL_FIELDS = {"contact_name": "", "contact_email": "", "contact_phone": ""}


def purge_personal_data(now=None) -> int:
    """Erase the contact details of requests whose visit is more than the retention period past
    (VISIT_REQUEST_RETENTION_DAYS), in the request and in every history record of it; the
    request's other fields, and the visit on record, stay. Returns how many were erased; running
    it again erases nothing more."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.VISIT_REQUEST_RETENTION_DAYS)
    due = [
        request_obj.pk
        for request_obj in VisitRequest.objects.filter(personal_data_erased_at__isnull=True).only(
            "confirmed_start", "preferred_1", "preferred_2", "preferred_3"
        )
        if request_obj.visit_time < cutoff
    ]
    with transaction.atomic():
        VisitRequest.objects.filter(pk__in=due).update(**PERSONAL_FIELDS, personal_data_erased_at=now)
        VisitRequest.history.filter(id__in=due).update(**PERSONAL_FIELDS)
    return len(due)


# The desk's states and the moves between them. "Done" can be undone (back to accepted), which
# removes the visits it recorded.
TRANSITIONS = {
    RequestState.RECEIVED: {
        RequestState.UNDER_REVIEW,
        RequestState.ACCEPTED,
        RequestState.DECLINED,
        RequestState.CANCELLED,
    },
    RequestState.UNDER_REVIEW: {RequestState.ACCEPTED, RequestState.DECLINED, RequestState.CANCELLED},
    RequestState.ACCEPTED: {
        RequestState.DONE,
        RequestState.NO_SHOW,
        RequestState.CANCELLED,
        RequestState.DECLINED,
        RequestState.UNDER_REVIEW,
    },
    RequestState.DONE: {RequestState.ACCEPTED},
    RequestState.NO_SHOW: {RequestState.ACCEPTED},
    RequestState.DECLINED: {RequestState.UNDER_REVIEW},
    RequestState.CANCELLED: set(),
}
REPEAT_YEARS = 2


def _same_body(request_obj: VisitRequest) -> Q:
    if request_obj.organization_id:
        return Q(organization=request_obj.organization_id)
    return Q(organization__isnull=True, new_organization_name__iexact=request_obj.new_organization_name)


def warnings(request_obj: VisitRequest, programs, start=None, today=None) -> list[str]:
    """What a clerk should know before accepting: a repeat within two years (from the visit log
    and the requests), a full day, a closed day, short notice, hours or group size."""
    today = today or timezone.localdate()
    since = today.replace(year=today.year - REPEAT_YEARS)
    found = []
    for program in programs:
        if request_obj.organization_id:
            visited = (
                Visit.objects.filter(program=program, organization=request_obj.organization_id)
                .filter(Q(visited_on__gte=since) | Q(visited_on__isnull=True, year__gte=since.year))
                .exclude(desk_request=request_obj.pk)
                .order_by("-year")
                .first()
            )
            if visited:
                found.append(
                    _("%(organization)s visited %(program)s in %(when)s.")
                    % {
                        "organization": request_obj.organization_name,
                        "program": program,
                        "when": visited.visited_on.isoformat() if visited.visited_on else visited.year,
                    }
                )
        earlier = (
            VisitRequest.objects.filter(_same_body(request_obj), programs=program, created_at__date__gte=since)
            .exclude(pk=request_obj.pk)
            .order_by("-created_at")
            .first()
        )
        if earlier:
            found.append(
                _("%(organization)s already asked to visit %(program)s (request %(reference)s, %(state)s).")
                % {
                    "organization": request_obj.organization_name,
                    "program": program,
                    "reference": earlier.reference,
                    "state": earlier.get_state_display(),
                }
            )
    when = start or request_obj.confirmed_start or request_obj.preferred_1
    if when and programs:
        local = timezone.localtime(when)
        hostings = VisitHosting.objects.filter(program__in=programs).select_related("program")
        for hosting in hostings.prefetch_related("closed_days"):
            booked = booked_groups(hosting.program_id, local.date(), exclude=request_obj)
            found += [
                problem
                for problem in hosting.refusals(local, request_obj.group_size, today, booked)
                if problem not in found
            ]
    return found


def confirm_slot(request_obj: VisitRequest, programs, start) -> None:
    """Inside the transaction that accepts: lock each program's hosting row, so two clerks
    accepting the same day take turns, and refuse a day already at capacity."""
    local = timezone.localtime(start)
    hostings = VisitHosting.objects.select_for_update().filter(program__in=programs).order_by("pk")
    for hosting in hostings:
        if (
            hosting.groups_per_day
            and booked_groups(hosting.program_id, local.date(), exclude=request_obj) >= hosting.groups_per_day
        ):
            raise ValidationError(
                _("%(program)s is fully booked on %(day)s.")
                % {"program": hosting.program, "day": local.date().isoformat()}
            )


def desk_source(request_obj: VisitRequest, when: datetime.datetime) -> Source:
    """The source of a visit the desk recorded: the request itself."""
    source, _created = Source.objects.get_or_create(
        publisher="전주시 벤치마킹 방문 접수",
        title=f"방문 신청 {request_obj.reference}",
        year=when.year,
        defaults={
            "publisher_en": "Jeonju benchmarking visit desk",
            "title_en": f"Visit request {request_obj.reference}",
            "published_on": when.date(),
        },
    )
    return source


def organization_for(request_obj: VisitRequest) -> Organization:
    if request_obj.organization_id:
        return request_obj.organization
    organization = Organization.objects.named(request_obj.new_organization_name).first()
    if organization is None:
        organization = Organization(
            name_ko=request_obj.new_organization_name,
            kind=request_obj.new_organization_kind,
            region=request_obj.new_organization_region,
            municipality_ko=request_obj.new_organization_municipality,
        )
        organization.full_clean()
        organization.save()
    request_obj.organization = organization
    VisitRequest.objects.filter(pk=request_obj.pk).update(organization=organization)
    return organization


def record_visits(request_obj: VisitRequest, programs) -> list[Visit]:
    """Marking a request done records its visits: one per program, with the desk as the source."""
    when = timezone.localtime(request_obj.confirmed_start)
    organization = organization_for(request_obj)
    source = desk_source(request_obj, when)
    purpose_field = "purpose_en" if request_obj.requester_language == "en" else "purpose_ko"
    made = []
    for program in programs:
        visit = Visit(
            program=program,
            organization=organization,
            year=when.year,
            visited_on=when.date(),
            people=request_obj.people_came,
            source=source,
            desk_request=request_obj,
            **{purpose_field: request_obj.purpose[:300]},
        )
        visit.full_clean(exclude=["desk_request"])
        visit.save()
        made.append(visit)
    return made


def visit_problems(request_obj: VisitRequest, programs, start) -> list[str]:
    """Why marking the request done could not record its visits (checked before anything is saved):
    a visit of the same body to the same program on that day is already on record."""
    if not start:
        return []
    organization = request_obj.organization
    if organization is None:
        organization = Organization.objects.named(request_obj.new_organization_name).first()
    if organization is None:
        return []
    day = timezone.localtime(start).date()
    taken = Visit.objects.filter(program__in=programs, organization=organization, visited_on=day).exclude(
        desk_request=request_obj.pk
    )
    return [
        _("A visit of %(organization)s to %(program)s on %(day)s is already on record.")
        % {"organization": organization, "program": visit.program, "day": day.isoformat()}
        for visit in taken.select_related("program")
    ]


def remove_recorded_visits(request_obj: VisitRequest) -> int:
    visits = list(Visit.objects.filter(desk_request=request_obj))
    for visit in visits:
        visit.delete()  # one by one: each delete is in the history and updates the figures
    return len(visits)


STATE_MAILS = {
    RequestState.ACCEPTED: "accepted",
    RequestState.DECLINED: "declined",
}


def notify(request_obj: VisitRequest, status_url: str) -> bool:
    """The e-mail for the request's new state, in the requester's language."""
    if request_obj.personal_data_erased_at or not request_obj.contact_email:
        return False
    template = STATE_MAILS.get(request_obj.state, "state_changed")
    programs = list(request_obj.programs.select_related("hosting").all())
    return _mail(request_obj, template, {"programs": programs}, status_url)


def send_follow_ups(base_url: str, now=None) -> int:
    """Ask every body whose visit was done VISIT_FOLLOWUP_DAYS ago what it took home; a request is
    asked once (its follow-up row marks it), so running this again sends nothing more."""
    now = now or timezone.now()
    due = VisitRequest.objects.filter(
        state=RequestState.DONE,
        confirmed_start__lte=now - datetime.timedelta(days=settings.VISIT_FOLLOWUP_DAYS),
        personal_data_erased_at__isnull=True,
    ).filter(Q(follow_up__isnull=True) | Q(follow_up__sent_at__isnull=True))
    sent = 0
    for request_obj in due:
        follow_up, _created = FollowUp.objects.get_or_create(request=request_obj)
        url = address(base_url, request_obj, follow_up.get_absolute_url)
        if _mail(
            request_obj,
            "follow_up",
            {"follow_up_url": url},
            address(base_url, request_obj, request_obj.get_status_url),
        ):
            FollowUp.objects.filter(pk=follow_up.pk).update(sent_at=now)
            sent += 1
    return sent


def address(base_url: str, request_obj: VisitRequest, url_of) -> str:
    """An absolute address of the requester's language (Korean at the plain path, English under /en/)."""
    with translation.override(request_obj.requester_language):
        return base_url.rstrip("/") + url_of()
