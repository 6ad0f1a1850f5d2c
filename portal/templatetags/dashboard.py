"""The admin index's dashboard (portal.dashboard) for the user looking at it."""

from django import template

from portal.dashboard import clerk_sections

register = template.Library()


@register.inclusion_tag("admin/includes/dashboard.html", takes_context=True)
def clerk_dashboard(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"sections": clerk_sections(user) if user is not None and user.is_staff else []}
