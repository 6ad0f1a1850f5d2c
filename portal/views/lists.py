"""What every filtered public list shares: downloads of exactly what it shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django_filters.views import FilterView

from portal.downloads import Column, large_download_response


class DownloadableFilterView(FilterView):
    """A FilterView whose URL patterns may pass `format` ("csv" or "json").

    With a format, the same FilterSet as the page filters the queryset (sort included, no
    pagination) and the rows are sent as a file: the download equals the list on screen.
    """

    download_name = "data"
    # The download's columns (portal.columns); `download_rows` gives their values in this order.
    download_fields: Sequence[Column] = ()
    strict = True

    def download_rows(self, queryset) -> Iterable[Sequence[Any]]:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        fmt = kwargs.get("format")
        if not fmt:
            return super().get(request, *args, **kwargs)
        self.filterset = self.get_filterset(self.get_filterset_class())
        if self.filterset.is_bound and not self.filterset.is_valid():
            return HttpResponseBadRequest(
                _("The filters are not valid: %(errors)s") % {"errors": self.filterset.errors.as_text()},
                content_type="text/plain; charset=utf-8",
            )
        return self.download(fmt, self.filterset.qs)

    download_chunk_size = 2000

    def download(self, fmt: str, queryset) -> HttpResponse:
        # Streamed when large; `download_rows` reads the queryset in chunks (`download_chunk_size`).
        return large_download_response(
            fmt,
            self.download_name,
            self.download_fields,
            self.download_rows(queryset),
            url=self.request.build_absolute_uri(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["querystring"] = query.urlencode()
        context["is_filtered"] = any(v for k, v in query.items() if k != "sort")
        return context


def visit_columns(visits) -> dict[str, bool]:
    """Which of a visit table's optional columns the visits shown fill: the purpose and the
    delegation's size are known for some visits only, and a column of dashes says nothing."""
    return {
        "show_purpose": any(visit.purpose for visit in visits),
        "show_people": any(visit.people for visit in visits),
    }
