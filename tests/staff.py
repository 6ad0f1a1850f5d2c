"""Helpers for the staff (admin) tests: logged-in clients for each role, admin URLs, and the
POST data of an admin form as the browser would send it back unchanged."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.management.commands.setup_roles import BUDGET_EDITORS, CONTENT_EDITORS, VISIT_EDITORS, VISIT_HOSTS

ROLES = (VISIT_EDITORS, BUDGET_EDITORS, CONTENT_EDITORS)
HOSTS = VISIT_HOSTS


def staff_client(role: str | None, username: str | None = None) -> tuple[Client, Model]:
    """A client logged in as a staff member of `role` (a group name), or a superuser for None."""
    from django.contrib.auth.models import Group

    call_command("setup_roles", stdout=io.StringIO())
    User = get_user_model()
    username = username or (role or "superuser").lower().replace(" ", "-")
    if role is None:
        user = User.objects.create_superuser(username, f"{username}@example.org", "pw")
    else:
        user = User.objects.create_user(username, f"{username}@example.org", "pw", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client, user


def admin_url(model: type[Model] | Model, view: str = "changelist", *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _post_value(value):
    if value is None:
        return ""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime.date | Decimal | int | float):
        return str(value)
    if isinstance(value, list | tuple | set) or hasattr(value, "__iter__") and not isinstance(value, str):
        return [_post_value(v) for v in value]
    return value


def _form_values(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        if isinstance(value, datetime.datetime):  # the admin's split date and time inputs
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            data[form.add_prefix(f"{name}_0")] = local.date().isoformat()
            data[form.add_prefix(f"{name}_1")] = local.strftime("%H:%M:%S")
            continue
        data[form.add_prefix(name)] = _post_value(value)
    return data


def form_data(response) -> dict:
    """The admin change form in `response` as POST data, inline formsets included."""
    context = response.context
    data = _form_values(context["adminform"].form)
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[management.add_prefix(name)] = management[name].value()
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
        for form in formset.initial_forms:
            data.update(_form_values(form))
    return {k: v for k, v in data.items() if v != [] or k}


def change(client: Client, obj: Model, **values) -> None:
    """Save `obj`'s admin change form as `client`, with `values` typed over what it shows."""
    url = admin_url(obj, "change", obj.pk)
    data = form_data(client.get(url))
    data.update(values)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    obj.refresh_from_db()
