"""Who may deliver for a sensor, and the per-record checks against that sensor.

`DeliveryContext.for_sensor` answers "may this user deliver this format for this sensor now,
and under which terms" once per sensor of a batch; `check_record` then checks each record
against the sensor (time, field of regard, measurement types) and applies its biases.
`RecordColumns` and `check_columns` do the same for a chunk of one sensor's records at once;
the per-record functions stay the reference (and give the message of each refused record).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import numpy as np

from agreements.choices import MeasurementType
from agreements.models import Sensor, TierDefinition
from agreements.services.coverage import SERVER, coverage_for
from catalog.formats.b3 import B3_NAMES
from catalog.formats.errors import RecordError
from catalog.formats.observations_common import FLOAT_FIELDS, ObservationRecord
from catalog.formats.udl import UDL_NAMES
from catalog.observations.choices import DataMode
from catalog.observations.models import MISSION_ORDER, missions_mask
from catalog.observations.services.answers import answered_requests
from portal import ownership
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


class FormatRefused(DeliveryRefused):
    """The agreement covering the sensor does not include the delivery's format: every record of
    the delivery is refused for it, whatever else is wrong with a record."""


@dataclass(frozen=True)
class DeliveryContext:
    sensor: Sensor
    marking: Marking
    tier: int | None
    missions_mask: int
    # Bias removed from each measured value, by field name (``azimuth_deg``, ...) or by
    # measurement type for both values of the type.
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
            # Staff deliver for their own SpOC's sensors; the US side of the US SpOC for the SSN.
            own = user.is_staff_of(sensor.spoc_id)
            us_client = spoc.is_us and ownership.is_us_side(user)
            if not (own or (us_client and sensor.is_us_ssn)):
                raise DeliveryRefused(f"sensor {sensor.number} does not belong to {spoc.code}")
        # Only agreements the deliverer may read decide (and are quoted); a file loaded from the
        # server's shell is delivered under whichever agreement covers the sensor.
        coverage = coverage_for(sensor, at, reader=SERVER if user is None else user)
        if coverage is None:
            raise DeliveryRefused(f"sensor {sensor.number} is covered by no active agreement")
        if fmt not in coverage.formats:
            raise FormatRefused(
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
        biases = current_field_biases(sensor)
        return cls(sensor=sensor, marking=marking, tier=tier, missions_mask=mask, biases=biases)


def check_tasking_request(request_id: int | None, user: Any) -> None:
    """A delivery may answer a request the user may see and that is addressed to their SpOC."""
    if request_id is None:
        return
    if not answered_requests().may_answer(user, request_id):
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
    if fmt == "b3":
        return B3_NAMES.get(attr, attr)
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


def current_field_biases(sensor: Sensor) -> dict[str, float]:
    """The sensor's current bias of each measured value: the latest bias row per measurement
    type, hand-entered or written by an accepted calibration run (whose two values of a pair,
    e.g. azimuth and elevation, have biases of their own)."""
    return {
        name: bias.bias_of(name)
        for kind, bias in sensor.current_biases().items()
        for name in MEASUREMENT_FIELDS.get(kind, ())
    }


def corrected_values(record: ObservationRecord, biases: dict[str, float]) -> dict[str, float | None]:
    """Raw minus the sensor's bias for each measured value (angles wrapped to [0, 360))."""
    out: dict[str, float | None] = {}
    for kind, names in MEASUREMENT_FIELDS.items():
        for name in names:
            bias = biases.get(name, biases.get(kind, 0.0))
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


_COLUMN_NAMES: tuple[str, ...] = (
    "index",
    "ob_time",
    "client_id",
    "data_mode",
    "track_id",
    "sat_no",
    "object_ref",
    "frame",
    *FLOAT_FIELDS,
)
_GET_COLUMNS = attrgetter(*_COLUMN_NAMES)


@dataclass
class RecordColumns:
    """Records of one sensor, column by column: lists as the records hold them, floats as arrays."""

    records: list[ObservationRecord]
    values: dict[str, tuple[Any, ...]]
    _arrays: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, records: list[ObservationRecord]) -> RecordColumns:
        columns = zip(*map(_GET_COLUMNS, records), strict=True)
        return cls(records, dict(zip(_COLUMN_NAMES, columns, strict=True)) if records else {})

    def __len__(self) -> int:
        return len(self.records)

    def array(self, name: str) -> np.ndarray:
        """A float column, NaN where the record has no value."""
        found = self._arrays.get(name)
        if found is None:
            found = self._arrays[name] = np.array(self.values[name], dtype=np.float64)
        return found

    def take(self, keep: np.ndarray) -> RecordColumns:
        rows = np.flatnonzero(keep).tolist()
        return RecordColumns.of([self.records[i] for i in rows])


def check_columns(
    columns: RecordColumns, context: DeliveryContext, now: dt.datetime, fmt: str = "udl-json"
) -> tuple[np.ndarray, list[RecordError]]:
    """Which records `check_record` accepts, found for the whole chunk at once, and the refusals.

    The array tests mark every record that may be refused; `check_record` then names the reason of
    each marked one (and keeps any the arrays marked too eagerly).
    """
    n = len(columns)
    sensor = context.sensor
    suspect = np.zeros(n, dtype=bool)
    limit = now + FUTURE_TOLERANCE
    times = columns.values["ob_time"]
    if n and max(times) > limit:
        suspect |= np.fromiter((t > limit for t in times), dtype=bool, count=n)
    types = set(sensor.measurement_types or ())
    carried = np.zeros(n, dtype=bool)
    for kind, names in MEASUREMENT_FIELDS.items():
        has = ~np.isnan(columns.array(names[0]))
        carried |= has
        if kind not in types:
            suspect |= has
    suspect |= ~carried
    az, el, rng = columns.array("azimuth_deg"), columns.array("elevation_deg"), columns.array("range_km")
    angles = ~np.isnan(az) & ~np.isnan(el)
    if angles.any():
        suspect[angles] |= ~sensor.field_of_regard_mask(az[angles], el[angles], rng[angles])
    if sensor.max_range_km is not None:
        with np.errstate(invalid="ignore"):
            suspect |= ~angles & (rng > sensor.max_range_km)
    frames = columns.values["frame"]
    if not set(frames) <= RADEC_FRAMES | {None}:
        odd = np.fromiter(((f or "J2000") not in RADEC_FRAMES for f in frames), dtype=bool, count=n)
        suspect |= odd & ~np.isnan(columns.array("ra_deg"))
    keep = ~suspect
    errors: list[RecordError] = []
    for i in np.flatnonzero(suspect).tolist():
        problem = check_record(columns.records[i], context, now, fmt)
        if problem is None:
            keep[i] = True
        else:
            errors.append(problem)
    return keep, errors


def corrected_columns(columns: RecordColumns, biases: dict[str, float]) -> dict[str, list[float | None]]:
    """`corrected_values` of every record: the same floats, column by column."""
    out: dict[str, list[float | None]] = {}
    for kind, names in MEASUREMENT_FIELDS.items():
        for name in names:
            bias = biases.get(name, biases.get(kind, 0.0))
            raw = columns.array(name)
            value = raw - bias
            if name in ("azimuth_deg", "ra_deg"):
                value = np.mod(value, 360.0)
            listed = value.tolist()
            if np.isnan(raw).any():
                listed = [None if v != v else v for v in listed]
            out[name] = listed
    return out


def content_hashes(sensor_id: int, iso_times: list[str], columns: RecordColumns) -> list[str]:
    """`content_hash` of every record, given their times in ISO form."""
    blake2b = hashlib.blake2b
    head = f"{sensor_id}|"
    values = columns.values
    return [
        blake2b(
            f"{head}{t}|{a!r}|{b!r}|{c!r}|{d!r}|{e!r}|{f!r}|{frame or ''}|{track or ''}".encode(),
            digest_size=16,
        ).hexdigest()
        for t, a, b, c, d, e, f, frame, track in zip(
            iso_times,
            *(values[name] for name in CORRECTED),
            values["frame"],
            values["track_id"],
            strict=True,
        )
    ]
