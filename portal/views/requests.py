"""The visit desk's public pages: the request form and each request's private status page.

Neither page is cached: the form carries a CSRF token, and the status page is one requester's.
The status page's address is its only key (no account), so it is kept out of search engines,
referrers and shared caches.
"""

import datetime
import logging

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from jeonju.middleware import client_ip
from portal.forms import FollowUpForm, VisitRequestForm
from programs.models import Program
from visits import desk
from visits.models import FollowUp, RequestState, VisitHosting, VisitRequest

logger = logging.getLogger("portal.requests")


def private(response):
    """A page whose address is its key: not indexed, and the address never sent to another site
    (same-origin, not no-referrer: with no origin at all its own forms would fail the CSRF check)."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def requester_key(group, request) -> str:
    return client_ip(request) or "unknown"


def limited(request) -> bool:
    """Whether this address has sent its share of requests this hour. A cache that does not answer
    lets the request through: the honeypot and the form's limits still apply."""
    try:
        return is_ratelimited(
            request,
            group="visit-request",
            key=requester_key,
            rate=f"{settings.VISIT_REQUESTS_PER_HOUR}/h",
            method="POST",
            increment=True,
        )
    except Exception:
        logger.warning("Rate limit not counted: the cache is unavailable", exc_info=True)
        return False


def form_context(form) -> dict:
    return {"form": form, "retention_days": settings.VISIT_REQUEST_RETENTION_DAYS}


@never_cache
def request_visit(request):
    if request.method == "POST":
        if limited(request):
            return TemplateResponse(request, "visits/visit_request_limited.html", status=429)
        form = VisitRequestForm(request.POST)
        if form.is_valid():
            request_obj = desk.take_request(form.build((get_language() or "ko")[:2]), form.cleaned_data["programs"])
            desk.send_acknowledgement(request_obj, request.build_absolute_uri(request_obj.get_status_url()))
            return redirect(f"{request_obj.get_status_url()}?sent=1")
        status = 400 if form.has_error("__all__", "honeypot") else 200
        return TemplateResponse(request, "visits/visit_request.html", form_context(form), status=status)
    slugs = request.GET.getlist("program")
    chosen = Program.objects.filter(slug__in=slugs, hosting__takes_visits=True) if slugs else []
    form = VisitRequestForm(initial={"programs": list(chosen), "visit_language": (get_language() or "ko")[:2]})
    return TemplateResponse(request, "visits/visit_request.html", form_context(form))


@never_cache
def request_status(request, token: str):
    request_obj = get_object_or_404(
        VisitRequest.objects.select_related("organization").prefetch_related("programs__hosting"), status_token=token
    )
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            desk.cancel(request_obj)
        return redirect(reverse("visits:request-status", args=[token]))
    response = TemplateResponse(
        request,
        "visits/visit_request_status.html",
        {"visit_request": request_obj, "just_sent": request.GET.get("sent") == "1"},
    )
    return private(response)


@never_cache
def follow_up(request, token: str):
    """The one-time page where a visiting body says what it took home."""
    answer = get_object_or_404(FollowUp.objects.select_related("request__organization"), token=token)
    if answer.answered_at:
        return TemplateResponse(request, "visits/follow_up.html", {"answer": answer, "form": None})
    form = FollowUpForm(request.POST or None, instance=answer)
    if request.method == "POST" and form.is_valid():
        answer = form.save(commit=False)
        answer.answered_at = timezone.now()
        answer.save()
        return redirect(reverse("visits:follow-up", args=[token]))
    response = TemplateResponse(request, "visits/follow_up.html", {"answer": answer, "form": form})
    return private(response)


def hosting_calendar(request, token: str):
    """A program's accepted visits as an iCalendar feed, for the hosts' own calendars. The token is
    the key; the feed holds no personal data (organization, group size, host, meeting point)."""
    hosting = get_object_or_404(VisitHosting.objects.select_related("program"), calendar_token=token)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Jeonju Policy Portal//Visit desk//KO")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{hosting.program} — {_('Accepted visits')}")
    booked = (
        VisitRequest.objects.filter(programs=hosting.program, state__in=(RequestState.ACCEPTED, RequestState.DONE))
        .exclude(confirmed_start=None)
        .select_related("organization")
        .order_by("confirmed_start")
    )
    for request_obj in booked:
        event = icalendar.Event()
        event.add("uid", f"visit-request-{request_obj.pk}-{hosting.pk}@jeonju-policy-portal")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", request_obj.confirmed_start)
        event.add("dtend", request_obj.confirmed_start + datetime.timedelta(hours=2))
        event.add("summary", f"{request_obj.organization_name} ({request_obj.group_size}) — {hosting.program}")
        details = [f"{_('Reference number')}: {request_obj.reference}", request_obj.purpose]
        if request_obj.host:
            details.append(f"{_('Host')}: {request_obj.host}")
        event.add("description", "\n".join(details))
        if request_obj.meeting_point:
            event.add("location", request_obj.meeting_point)
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
