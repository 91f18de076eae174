"""Template context every page gets from the core."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from portal import ownership
from portal.models import Role


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None)
    return {
        "is_security_officer": role == Role.SECURITY_OFFICER,
        "is_agreement_admin": role == Role.AGREEMENT_ADMIN,
        "is_us_operator": role == Role.US_OPERATOR,
        "is_partner_staff": ownership.is_partner_staff(user),
    }
