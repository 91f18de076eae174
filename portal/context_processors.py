"""Template context every page gets from the core."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import import_string

from portal import ownership
from portal.models import Role


def _nav_counts(user: Any) -> dict[str, Any]:
    """Each app's counts for the navigation (settings.NAV_COUNTS: name -> function of the user
    returning a `portal.dashboard.Figure` or None), counted only when a page shows them."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {name: import_string(dotted)(user) for name, dotted in settings.NAV_COUNTS.items()}


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None)
    return {
        "is_security_officer": role == Role.SECURITY_OFFICER,
        "is_agreement_admin": role == Role.AGREEMENT_ADMIN,
        "is_us_operator": role == Role.US_OPERATOR,
        "is_partner_staff": ownership.is_partner_staff(user),
        "nav_counts": SimpleLazyObject(lambda: _nav_counts(user)),
    }
