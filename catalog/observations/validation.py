"""Who may deliver for a sensor, and the per-record checks against that sensor.

`DeliveryContext.for_sensor` answers "may this user deliver this format for this sensor now,
and under which terms" once per sensor of a batch; `check_record` then checks each record
against the sensor (time, field of regard, measurement types) and applies its biases.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from agreements.choices import MeasurementType
from agreements.coverage import coverage_for
from agreements.models import Sensor, TierDefinition
from catalog.formats.errors import RecordError
from catalog.formats.observations_common import ObservationRecord
from catalog.formats.udl import UDL_NAMES
from catalog.models.observations import MISSION_ORDER, DataMode, missions_mask
from portal.markings.marking import Marking, MarkingError
from portal.markings.nations import mask_of

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
RADEC_FRAMES = frozenset({"J2000", "EME2000", "ICRF", "GCRF", "TEME"})

# Record attributes that carry each measurement type.
MEASUREMENT_FIELDS: dict[str, tuple[str, ...]] = {
    MeasurementType.RANGE: ("range_km",),
    MeasurementType.AZIMUTH_ELEVATION: ("azimuth_deg", "elevation_deg"),
    MeasurementType.RA_DEC: ("ra_deg", "declination_deg"),
    MeasurementType.RANGE_RATE: ("range_rate_km_s",),
}
CORRECTED = ("range_km", "azimuth_deg", "elevation_deg", "range_rate_km_s", "ra_deg", "declination_deg")


class DeliveryRefused(Exception):
    """The user may not deliver observations of this sensor (a reason is given)."""


@dataclass(frozen=True)
class DeliveryContext:
    sensor: Sensor
    marking: Marking
    tier: int | None
    missions_mask: int
    biases: dict[str, float]

    @property
    def marking_columns(self) -> tuple[int, bool, int]:
        # Computed once per batch and sensor: rows carry these three columns.
        cached: tuple[int, bool, int] | None = self.__dict__.get("_columns")
        if cached is None:
            cached = (int(self.marking.level), self.marking.noforn, mask_of(self.marking.rel_to))
            object.__setattr__(self, "_columns", cached)
        return cached

    @classmethod
    def for_sensor(
        cls, sensor: Sensor, user: Any, fmt: str, at: dt.datetime, requested: Marking | None
    ) -> DeliveryContext:
        # user None: a file loaded from the server's shell, delivered on behalf of the sensor's SpOC.
        if user is not None:
            spoc = getattr(user, "spoc", None)
            if spoc is None:
                raise DeliveryRefused("the delivering account belongs to no SpOC")
            own = sensor.spoc_id == spoc.pk
            us_client = spoc.is_us and getattr(user, "is_us_person", False)
            if not (own or (us_client and sensor.is_us_ssn)):
                raise DeliveryRefused(f"sensor {sensor.number} does not belong to {spoc.code}")
        coverage = coverage_for(sensor, at)
        if coverage is None:
            raise DeliveryRefused(f"sensor {sensor.number} is covered by no active agreement")
        if fmt not in coverage.formats:
            raise DeliveryRefused(
                f"the agreement covering sensor {sensor.number} does not include the {fmt} format "
                f"(agreed: {', '.join(coverage.formats) or 'none'})"
            )
        if sensor.is_us_ssn:
            tier = None
            mask = missions_mask(MISSION_ORDER)
        else:
            definition = TierDefinition.objects.filter(level=sensor.integration_level or 0).first()
            if definition is None or not definition.admits_observation_ingest:
                level = f"Level {sensor.integration_level}" if sensor.integration_level else "no level"
                raise DeliveryRefused(
                    f"sensor {sensor.number} is at {level}, which does not admit observation ingest"
                )
            tier = definition.level
            mask = missions_mask(definition.missions)
        base = coverage.agreement.shared_data_marking if coverage.agreement is not None else sensor.marking
        marking = Marking.combine(base, sensor.marking, *([requested] if requested else []))
        if user is not None and not marking.allows(user):
            raise DeliveryRefused(f"the marking {marking.banner} is above what the account may read")
        biases = {kind: float(bias.bias) for kind, bias in sensor.current_biases().items()}
        return cls(sensor=sensor, marking=marking, tier=tier, missions_mask=mask, biases=biases)


def check_tasking_request(request_id: int | None, user: Any) -> None:
    """A delivery may answer a request the user may see and that is addressed to their SpOC."""
    if request_id is None:
        return
    requests = apps.get_model("tasking", "TaskingRequest").objects
    found = (
        requests.filter(pk=request_id) if user is None else requests.visible_to(user).filter(pk=request_id)
    )
    spoc = getattr(user, "spoc", None)
    if user is not None and spoc is not None and not spoc.is_us:
        found = found.filter(spoc=spoc)
    if not found.exists():
        raise DeliveryRefused(f"tasking request {request_id} is unknown or not addressed to this SpOC")


def parse_requested_marking(text: str | None) -> Marking | None:
    if not text:
        return None
    try:
        return Marking.parse(text)
    except MarkingError as exc:
        raise DeliveryRefused(f"marking: {exc}") from None


TDM_NAMES = {
    "ob_time": "EPOCH",
    "sensor_ref": "PARTICIPANT_1",
    "azimuth_deg": "ANGLE_1",
    "elevation_deg": "ANGLE_2",
    "ra_deg": "ANGLE_1",
    "declination_deg": "ANGLE_2",
    "range_km": "RANGE",
    "range_rate_km_s": "DOPPLER_INSTANTANEOUS",
    "frame": "REFERENCE_FRAME",
}


def field_name(attr: str, fmt: str) -> str:
    """A record attribute as the format names it, for error reports."""
    if fmt.startswith("tdm"):
        return TDM_NAMES.get(attr, attr)
    return UDL_NAMES.get(attr, attr)


def check_record(
    record: ObservationRecord, context: DeliveryContext, now: dt.datetime, fmt: str = "udl-json"
) -> RecordError | None:
    """Why `record` cannot be accepted from this sensor, or None."""

    def refuse(attr: str, message: str) -> RecordError:
        return RecordError(record.index, record.line, field_name(attr, fmt), message)

    sensor = context.sensor
    if record.ob_time > now + FUTURE_TOLERANCE:
        return refuse("ob_time", f"{record.ob_time:%Y-%m-%dT%H:%M:%S}Z is in the future")
    types = set(sensor.measurement_types or ())
    carried = [kind for kind, names in MEASUREMENT_FIELDS.items() if getattr(record, names[0]) is not None]
    for kind in carried:
        if kind not in types:
            return refuse(MEASUREMENT_FIELDS[kind][0], f"sensor {sensor.number} does not measure {kind}")
    if not carried:
        return refuse("ob_time", f"no measurement of a type sensor {sensor.number} produces")
    if record.azimuth_deg is not None and record.elevation_deg is not None:
        beyond = _beyond_range(record, sensor)
        if not sensor.can_see(record.azimuth_deg, record.elevation_deg, record.range_km):
            field = "elevation_deg" if record.elevation_deg < sensor.min_elevation_deg else "azimuth_deg"
            return refuse(
                "range_km" if beyond else field,
                f"outside the field of regard of sensor {sensor.number} ({sensor.field_of_regard_text})",
            )
    elif _beyond_range(record, sensor):
        return refuse("range_km", f"{record.range_km:g} km is beyond the sensor's maximum range")
    if record.ra_deg is not None and (record.frame or "J2000") not in RADEC_FRAMES:
        return refuse("frame", f"{record.frame} is not one of {', '.join(sorted(RADEC_FRAMES))}")
    return None


def _beyond_range(record: ObservationRecord, sensor: Sensor) -> bool:
    limit = sensor.max_range_km
    return limit is not None and record.range_km is not None and record.range_km > limit


def corrected_values(record: ObservationRecord, biases: dict[str, float]) -> dict[str, float | None]:
    """Raw minus the sensor's bias for each measurement type (angles wrapped to [0, 360))."""
    out: dict[str, float | None] = {}
    for kind, names in MEASUREMENT_FIELDS.items():
        bias = biases.get(kind, 0.0)
        for name in names:
            raw = getattr(record, name)
            if raw is None:
                out[name] = None
                continue
            value = raw - bias
            if name in ("azimuth_deg", "ra_deg"):
                value %= 360.0
            out[name] = value
    return out


def content_hash(sensor_id: int, record: ObservationRecord) -> str:
    """Identity of a measurement: sensor, time and values (not client id, not its place in a file)."""
    parts = [str(sensor_id), record.ob_time.isoformat()]
    parts += [repr(getattr(record, name)) for name in CORRECTED]
    parts += [record.frame or "", record.track_id or ""]
    return hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def fit_mask(context: DeliveryContext, data_mode: str | None) -> int:
    # Test, exercise and simulated data are kept but fit for no operational mission.
    return context.missions_mask if (data_mode or DataMode.REAL) == DataMode.REAL else 0
