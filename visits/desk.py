"""The visit desk's writes: taking a request in, and the e-mails it sends.

A request is saved before any e-mail is tried, so a mail server that fails loses nothing: the
failure is kept on the request for staff to see, and `send_acknowledgement` can be run again.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import RequestState, VisitHosting, VisitRequest

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


@transaction.atomic
def take_request(request_obj: VisitRequest, programs) -> VisitRequest:
    """Save a new request with its reference number (year and serial: 2026-000042)."""
    request_obj.save()
    request_obj.programs.set(programs)
    request_obj.reference = f"{timezone.localdate().year}-{request_obj.pk:06d}"
    VisitRequest.objects.filter(pk=request_obj.pk).update(reference=request_obj.reference)
    return request_obj


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
