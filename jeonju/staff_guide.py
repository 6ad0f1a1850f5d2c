"""The staff guide (담당자 안내서): a page of the admin, for every staff account, in Korean."""

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse


def staff_guide(request):
    context = {
        **admin.site.each_context(request),
        "title": "담당자 안내서",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_hours": f"{settings.AXES_COOLOFF_TIME:g}",
    }
    return TemplateResponse(request, "admin/staff_guide.html", context)
