"""A record's link to its own audit trail, for the security officer (who alone reads the trail)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from portal.models import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def audit_link(context: template.Context, obj: models.Model, since: Any = None) -> str:
    """“Audit trail”: the events of `obj`, from `since` (a date or time, by default its creation)
    on; nothing for a reader who may not read the trail."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or getattr(user, "role", None) != Role.SECURITY_OFFICER:
        return ""
    params = {"model": obj._meta.label_lower, "object_id": str(obj.pk)}
    start = since or getattr(obj, "created", None)
    if start is not None:
        params["since"] = start.date().isoformat() if hasattr(start, "date") else str(start)
    return format_html(
        '<a class="audit-link" href="{}?{}">Audit trail of this record</a>',
        reverse("audit-log"),
        urlencode(params),
    )
