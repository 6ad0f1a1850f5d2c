from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from jeonju.staff_guide import staff_guide

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("jeonju.health")),
    path(f"{settings.ADMIN_URL}guide/", admin.site.admin_view(staff_guide), name="staff-guide"),
    path(settings.ADMIN_URL, admin.site.urls),
]
urlpatterns += i18n_patterns(
    path("", include("portal.urls")),
    prefix_default_language=False,
)
