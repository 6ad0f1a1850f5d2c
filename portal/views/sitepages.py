"""The pages every page's footer links to: privacy policy, copyright policy, accessibility
statement (portal.SitePage, their text kept by staff)."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from portal.cache import cache_public_page
from portal.models import SitePage
from portal.sitetexts import body_blocks


@cache_public_page
class SitePageView(DetailView):
    """One site page; the URL names it (`{"slug": "privacy"}`), so each has a fixed address."""

    template_name = "portal/site_page.html"
    context_object_name = "page"

    def get_object(self, queryset=None):
        return get_object_or_404(SitePage, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(blocks=body_blocks(self.object.body), **kwargs)
