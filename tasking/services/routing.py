"""Which agreement lets a request go to a partner, and which of its sensors may execute it.

Routing sees only what the filer may read: the agreements come from `agreements_for(filer)`
(an agreement hidden from the filer is as absent as a missing one, and no message quotes it),
the partner's sensors from `readable(Sensor, filer)`. The request then carries the agreement
(its id, deadline, formats and timeliness), so every reader of the request must be able to read
the agreement too: the request's marking must be no looser than the agreement's
(`Marking.no_looser_than`), or the route is refused, naming the agreement to the filer who may
read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from agreements.choices import AgreementKind, SensorType
from agreements.models import Agreement, Sensor
from agreements.services.coverage import Coverage, agreements_for, coverage_for
from portal.errors import DomainError
from portal.markings.marking import Marking
from portal.models import SpOC
from portal.references import readable
from tasking.choices import ObservationType, RequestKind

RADAR = frozenset({SensorType.PHASED_ARRAY_RADAR, SensorType.TRACKING_RADAR})
SENSOR_TYPES_FOR: dict[str, frozenset[str]] = {
    ObservationType.RADAR_METRIC: RADAR,
    ObservationType.OPTICAL_ANGLES: frozenset({SensorType.OPTICAL_TELESCOPE}),
    ObservationType.ANY_METRIC: RADAR | {SensorType.OPTICAL_TELESCOPE},
    ObservationType.PASSIVE_RF: frozenset({SensorType.PASSIVE_RF}),
}


class NoAgreement(DomainError):
    """No active agreement allows this request; the message says why."""

    status = 409
    code = "no_agreement"


@dataclass(frozen=True)
class Route:
    kind: RequestKind
    spoc: SpOC
    agreement: Agreement
    coverage: Coverage
    sensor: Sensor | None = None
    # The partner's sensors able to execute (tier and type), for predicted passes.
    sensors: list[Sensor] = field(default_factory=list)


def _fit(sensor: Sensor, minimum_tier: int, observation_type: str) -> bool:
    tier_ok = sensor.integration_level is not None and sensor.integration_level <= minimum_tier
    return tier_ok and sensor.sensor_type in SENSOR_TYPES_FOR[observation_type]


def route(
    *,
    spoc: SpOC | None = None,
    sensor: Sensor | None = None,
    minimum_tier: int,
    observation_type: str,
    at: dt.datetime,
    filer: Any,
    marking: Marking,
) -> Route:
    """The route of a request marked `marking`, as `filer` may know it."""
    found = find_route(
        spoc=spoc,
        sensor=sensor,
        minimum_tier=minimum_tier,
        observation_type=observation_type,
        at=at,
        filer=filer,
    )
    check_readers(marking, found.agreement)
    return found


def find_route(
    *,
    spoc: SpOC | None = None,
    sensor: Sensor | None = None,
    minimum_tier: int,
    observation_type: str,
    at: dt.datetime,
    filer: Any,
) -> Route:
    """The route `filer` may know, before the request's marking is checked against it."""
    if (spoc is None) == (sensor is None):
        raise DomainError("Address the request to a partner SpOC or to one sensor, not both.", field="spoc")
    if sensor is not None:
        return _route_direct(sensor, minimum_tier, observation_type, at, filer)
    assert spoc is not None
    return _route_request(spoc, minimum_tier, observation_type, at, filer)


def check_readers(marking: Marking, agreement: Agreement | None) -> None:
    """Every reader of a request marked `marking` may read the agreement it is filed under."""
    if agreement is None or marking.no_looser_than(agreement.marking):
        return
    raise DomainError(
        f"The request carries the terms of “{agreement}” ({agreement.marking.banner}), so all its "
        f"readers must be allowed to read that agreement: mark it at least "
        f"{Marking.combine(marking, agreement.marking).banner} (it is {marking.banner}).",
        field="marking",
    )


def _route_direct(
    sensor: Sensor, minimum_tier: int, observation_type: str, at: dt.datetime, filer: Any
) -> Route:
    if sensor.is_us_ssn:
        raise NoAgreement(
            f"{sensor} is a US SSN sensor: it is tasked through SSN retasking, not a partner request.",
            field="sensor",
        )
    coverage = coverage_for(sensor, at, reader=filer)
    if coverage is None or coverage.agreement is None:
        raise NoAgreement(f"No active agreement covers {sensor} on {at:%Y-%m-%d}.", field="sensor")
    if not coverage.direct_tasking:
        raise NoAgreement(
            f"{sensor} is covered by the SpOC-level agreement “{coverage.agreement}”: the US requests and "
            f"{sensor.spoc} tasks its own sensors. File a request to {sensor.spoc} instead.",
            field="sensor",
        )
    if not _fit(sensor, minimum_tier, observation_type):
        raise NoAgreement(
            f"{sensor} does not meet the request: Level {minimum_tier} or closer and "
            f"{ObservationType(observation_type).label.lower()} needed "
            f"(it is {sensor.get_sensor_type_display().lower()}, "
            f"{'Level ' + str(sensor.integration_level) if sensor.integration_level else 'not integrated'}).",
            field="sensor",
        )
    return Route(RequestKind.DIRECT, sensor.spoc, coverage.agreement, coverage, sensor, [sensor])


def _route_request(
    spoc: SpOC, minimum_tier: int, observation_type: str, at: dt.datetime, filer: Any
) -> Route:
    if spoc.is_us:
        raise NoAgreement("Requests go to partner SpOCs; the SSN is tasked through retasking.", field="spoc")
    active = agreements_for(filer).active_at(at).filter(partner=spoc)
    agreement = active.filter(kind=AgreementKind.SPOC_LEVEL).order_by("-effective_from", "-pk").first()
    if agreement is None:
        if active.filter(kind=AgreementKind.SENSOR_LEVEL).exists():
            raise NoAgreement(
                f"The agreements with {spoc} are sensor-level: task one of its sensors directly.",
                field="spoc",
            )
        raise NoAgreement(f"No active agreement with {spoc} allows requests on {at:%Y-%m-%d}.", field="spoc")
    sensors = [
        s
        for s in readable(Sensor, filer).filter(spoc=spoc, is_us_ssn=False).prefetch_related("outages")
        if _fit(s, minimum_tier, observation_type)
    ]
    if not sensors:
        raise NoAgreement(
            f"None of {spoc}'s sensors can take it: Level {minimum_tier} or closer and "
            f"{ObservationType(observation_type).label.lower()} needed.",
            field="minimum_tier",
        )
    coverage = Coverage(
        agreement=agreement,
        direct_tasking=False,
        formats=tuple(agreement.data_formats),
        quick_turn_response=agreement.quick_turn_response,
        routine_response=agreement.routine_response,
    )
    return Route(RequestKind.REQUEST, spoc, agreement, coverage, None, sensors)
