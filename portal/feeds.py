"""Atom and RSS feeds of newly recorded benchmarking visits, filtered like the visit list."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext as _

from portal.filters import VisitFilter
from visits.models import Visit

FEED_LENGTH = 50


class TextAtom1Feed(Atom1Feed):
    """Atom with plain-text summaries: Django's Atom1Feed declares every summary HTML, and the
    text here is what staff typed (names, purposes, sources), never markup to render."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class RssVisitFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, *args, **kwargs):
        filterset = VisitFilter(request.GET or None, queryset=Visit.objects.with_related(), request=request)
        if filterset.is_bound and not filterset.is_valid():
            raise Http404(_("The filters are not valid."))
        filterset.query = request.GET.urlencode()
        filterset.path = request.path  # per request: the Feed instance is shared between threads
        return filterset

    def title(self, obj):
        program = obj.form.cleaned_data.get("program") if obj.is_bound else None
        if program:
            return _("Benchmarking visits to %(program)s — Jeonju Policy Portal") % {"program": program}
        return _("Benchmarking visits — Jeonju Policy Portal")

    def link(self, obj):
        url = reverse("visits:list")
        return f"{url}?{obj.query}" if obj.query else url

    def feed_url(self, obj):
        url = obj.path
        return f"{url}?{obj.query}" if obj.query else url

    def description(self, obj):
        return _("Newly recorded benchmarking visits to Jeonju's programs.")

    def items(self, obj):
        return obj.qs.order_by("-recorded_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return _("%(organization)s visited %(program)s (%(when)s)") % {
            "organization": item.organization,
            "program": item.program,
            "when": item.visited_on.isoformat() if item.visited_on else item.year,
        }

    def item_text(self, item) -> str:
        parts = [f"{item.organization.get_kind_display()} · {item.organization.get_region_display()}"]
        if item.purpose:
            parts.append(item.purpose)
        if item.source:
            parts.append(_("Source: %(source)s") % {"source": item.source})
        return " — ".join(parts)

    def item_description(self, item):
        # RSS 2.0 defines the description as HTML: escaped, markup typed by staff shows as typed.
        return escape(self.item_text(item))

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        # A URN, so the Atom id is a valid IRI that never changes when the site moves.
        return f"urn:jeonju-policy-portal:visit:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.recorded_at

    def item_updateddate(self, item):
        return item.recorded_at


class AtomVisitFeed(RssVisitFeed):
    feed_type = TextAtom1Feed

    def item_description(self, item):
        return self.item_text(item)

    def subtitle(self, obj):
        return self.description(obj)
