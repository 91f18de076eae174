"""What a proposed sensor would have covered: the last period's unmet demand scheduled twice,
on the SSN network as it is and with the proposed sensor added, and the gaps it would close.

Nothing is booked. The answer is derived from every request, target object and sensor it read,
so it is marked as their combination; a reader's what-if reads only what that reader may read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from agreements.choices import Priority, SensorType
from agreements.models import Sensor
from portal.markings.marking import Marking
from tasking.choices import RequestStatus
from tasking.models import TaskingRequest
from tasking.services import retasking
from tasking.workflow import UNMET

# The period re-run: the scheduler's own horizon, so one pass covers it.
PERIOD = retasking.MAX_HORIZON
# Priorities in both vocabularies fall in five levels, 1 the most urgent.
LEVEL_NAMES = {
    1: "1: EMERGENCY / SSN cat 1",
    2: "2: FLASH / cat 2",
    3: "3: IMMEDIATE / cat 3",
    4: "4: PRIORITY / cat 4",
    5: "5: ROUTINE / cat 5",
}
# Requests the partners could not meet: unmet now, or unmet before retasking took them.
DEMAND_STATUSES = UNMET | {RequestStatus.RETASKED}


class WhatIfError(ValueError):
    """A proposed sensor that cannot be placed; the message names the field."""


@dataclass
class GroupCount:
    """Gaps of one priority or orbit regime, without and with the proposed sensor."""

    requests: int = 0
    tracks_missing: int = 0
    tracks_missing_with: int = 0

    @property
    def tracks_closed(self) -> int:
        return self.tracks_missing - self.tracks_missing_with


@dataclass
class WhatIf:
    proposed: retasking.ProposedSensor
    start: dt.datetime
    end: dt.datetime
    requests: int
    sensors: int
    tracks_by_proposed: int
    marking: Marking
    by_priority: dict[str, GroupCount] = field(default_factory=dict)
    by_regime: dict[str, GroupCount] = field(default_factory=dict)

    @property
    def total(self) -> GroupCount:
        total = GroupCount()
        for group in self.by_priority.values():
            total.requests += group.requests
            total.tracks_missing += group.tracks_missing
            total.tracks_missing_with += group.tracks_missing_with
        return total

    def as_json(self) -> dict[str, Any]:
        def rows(groups: dict[str, GroupCount]) -> dict[str, dict[str, int]]:
            return {
                name: {
                    "requests_with_gaps": g.requests,
                    "tracks_missing": g.tracks_missing,
                    "tracks_missing_with_proposed": g.tracks_missing_with,
                    "tracks_closed": g.tracks_closed,
                }
                for name, g in groups.items()
            }

        total = self.total
        return {
            "proposed": {
                "latitude_deg": self.proposed.latitude_deg,
                "longitude_deg": self.proposed.longitude_deg,
                "altitude_km": self.proposed.altitude_km,
                "sensor_type": self.proposed.sensor_type,
                "min_elevation_deg": self.proposed.min_elevation_deg,
                "tracks_per_hour": self.proposed.tracks_per_hour,
            },
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "marking": self.marking.banner,
            "requests": self.requests,
            "ssn_sensors": self.sensors,
            "tracks_by_proposed": self.tracks_by_proposed,
            "tracks_missing": total.tracks_missing,
            "tracks_missing_with_proposed": total.tracks_missing_with,
            "tracks_closed": total.tracks_closed,
            "by_priority": rows(self.by_priority),
            "by_regime": rows(self.by_regime),
        }


def proposed_sensor(
    *,
    latitude_deg: float,
    longitude_deg: float,
    altitude_km: float,
    sensor_type: str,
    min_elevation_deg: float = 5.0,
    tracks_per_hour: int = 30,
    max_range_km: float | None = None,
) -> retasking.ProposedSensor:
    """A proposed sensor, checked field by field."""
    if not -90.0 <= latitude_deg <= 90.0:
        raise WhatIfError(f"latitude: {latitude_deg} is outside -90..90 degrees")
    if not -180.0 <= longitude_deg <= 360.0:
        raise WhatIfError(f"longitude: {longitude_deg} is outside -180..360 degrees")
    if not -0.5 <= altitude_km <= 10.0:
        raise WhatIfError(f"altitude: {altitude_km} km is not a ground site (-0.5..10 km)")
    if sensor_type not in SensorType.values:
        raise WhatIfError(f"type: {sensor_type!r} is not one of {', '.join(SensorType.values)}")
    if not 0.0 <= min_elevation_deg < 90.0:
        raise WhatIfError(f"minimum elevation: {min_elevation_deg} is outside 0..90 degrees")
    if not 1 <= tracks_per_hour <= 3600:
        raise WhatIfError(f"tracks per hour: {tracks_per_hour} is outside 1..3600")
    if max_range_km is not None and max_range_km <= 0:
        raise WhatIfError(f"maximum range: {max_range_km} km must be positive")
    longitude = longitude_deg - 360.0 if longitude_deg > 180.0 else longitude_deg
    return retasking.ProposedSensor(
        latitude_deg=latitude_deg,
        longitude_deg=longitude,
        altitude_km=altitude_km,
        sensor_type=sensor_type,
        min_elevation_deg=min_elevation_deg,
        tracks_per_hour=tracks_per_hour,
        max_range_km=max_range_km,
    )


def last_period_demand(user: Any | None, start: dt.datetime, end: dt.datetime) -> list[TaskingRequest]:
    """Requests partners could not meet whose windows overlap [start, end); a reader's own
    what-if sees only the requests that reader may read."""
    requests = TaskingRequest.objects.all() if user is None else TaskingRequest.objects.visible_to(user)
    overlapping = Q(windows__start__lt=end, windows__end__gt=start)
    return list(
        requests.filter(overlapping, status__in=DEMAND_STATUSES)
        .distinct()
        .select_related("requested_by", "spoc")
        .prefetch_related("targets__space_object", "windows")
        .order_by("pk")
    )


def network(user: Any | None) -> list[Sensor]:
    """The SSN sensors of the what-if: those ``user`` may read (every one without a user)."""
    return retasking.ssn_sensors(None if user is None else Sensor.objects.visible_to(user))


def _missing_by_request(plan: retasking.Plan) -> dict[int, int]:
    missing: dict[int, int] = defaultdict(int)
    for request, tracks, _reason in plan.gaps:
        missing[request] += tracks
    return missing


def coverage_whatif(
    proposed: retasking.ProposedSensor, *, user: Any | None = None, now: dt.datetime | None = None
) -> WhatIf:
    """Schedule the last period's unmet demand without and with ``proposed`` (nothing booked)."""
    end = now or timezone.now()
    start = end - PERIOD
    requests = last_period_demand(user, start, end)
    sensors = network(user)
    # Both passes start empty: the question is what the network could have done, not what is
    # left of it after this period's bookings.
    without = retasking.plan(start, requests, sensors)
    with_proposed = retasking.plan(start, requests, [*sensors, proposed])
    proposed_key = next(key for key, sensor in with_proposed.sensors.items() if sensor is proposed)
    missing, missing_with = _missing_by_request(without), _missing_by_request(with_proposed)
    marking = Marking.combine(
        Marking.unclassified(),
        *(r.marking for r in requests),
        *retasking.target_objects_marking(requests),
        *(s.marking for s in sensors),
    )
    result = WhatIf(
        proposed=proposed,
        start=start,
        end=end,
        requests=len(requests),
        sensors=len(sensors),
        tracks_by_proposed=sum(1 for task in with_proposed.tasks if task.sensor == proposed_key),
        marking=marking,
    )
    for name in LEVEL_NAMES.values():
        result.by_priority[name] = GroupCount()
    for request in requests:
        if not missing.get(request.pk) and not missing_with.get(request.pk):
            continue
        priority = LEVEL_NAMES[retasking.PRIORITY_LEVEL.get(Priority(request.priority), 5)]
        regime = without.regimes.get(request.pk, "unknown")
        for group in (
            result.by_priority.setdefault(priority, GroupCount()),
            result.by_regime.setdefault(regime, GroupCount()),
        ):
            group.requests += 1
            group.tracks_missing += missing.get(request.pk, 0)
            group.tracks_missing_with += missing_with.get(request.pk, 0)
    return result


def sensors_summary(sensors: Sequence[Sensor]) -> list[dict[str, Any]]:
    """The existing SSN sites, for the map beside the proposed one."""
    return [
        {"name": s.name, "lat": s.latitude_deg, "lon": s.longitude_deg, "number": s.number} for s in sensors
    ]
