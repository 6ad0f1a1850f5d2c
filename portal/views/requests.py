"""The visit desk's public pages: the request form and each request's private status page.

Neither page is cached: the form carries a CSRF token, and the status page is one requester's.
The status page's address is its only key (no account), so it is kept out of search engines,
referrers and shared caches.
"""

import logging

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from jeonju.middleware import client_ip
from portal.forms import VisitRequestForm
from programs.models import Program
from visits import desk
from visits.models import VisitRequest

logger = logging.getLogger("portal.requests")


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
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
