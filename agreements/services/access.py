"""Who may write what about a sensor, beyond the marking rule (which decides what is seen at all)."""

from __future__ import annotations

from typing import Any

from portal import ownership
from portal.models import Role


def is_agreement_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.AGREEMENT_ADMIN))


# Who is partner staff is one definition, in portal.ownership.
is_partner_staff = ownership.is_partner_staff


def may_record_for(user: Any, sensor: Any) -> bool:
    """Changes and outages: whoever may change the sensor under its ownership rule (agreement
    admins for any, its SpOC's staff for their own). The caller has already found the sensor
    through `visible_to(user)`."""
    return ownership.may_change(user, sensor)


def may_enter_biases(user: Any, sensor: Any) -> bool:
    """Hand-entered biases correct every observation the sensor delivers, so only an
    agreement admin enters them (until calibration runs produce them)."""
    return is_agreement_admin(user)
