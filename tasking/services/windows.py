"""The one rule for a collection window, filed or proposed: ordered, not over, at most 14 days
long and starting within a year (pass prediction from today's element sets means nothing
beyond that, and far dates overflow the propagator)."""

from __future__ import annotations

import datetime as dt

from portal.errors import DomainError

MAX_WINDOW = dt.timedelta(days=14)
HORIZON = dt.timedelta(days=365)


def check_window(
    start: dt.datetime, end: dt.datetime, now: dt.datetime, *, field: str, name: str = "A window"
) -> None:
    if end <= start:
        raise DomainError(f"{name} ends after it starts.", field=field)
    if end <= now:
        raise DomainError(f"{name} is already over.", field=field)
    if end - start > MAX_WINDOW:
        raise DomainError(f"{name} is at most 14 days long.", field=field)
    if start > now + HORIZON:
        raise DomainError(f"{name} starts at most a year ahead (by {(now + HORIZON):%Y-%m-%d}).", field=field)
