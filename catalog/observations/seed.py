"""A demo day of observations, delivered through the real ingest path. Safe to run again.

Tracks are generated on the seeded catalog from seeded sensors, written in the format each
delivery's agreement allows, and ingested as that SpOC's staff (or the US operator) would deliver
them, so batches, markings, duplicate checks and association are the real ones. A few tracks are
on objects missing from the catalog (UCTs), and one delivery carries records the checks refuse.
The day is the one the catalog's element sets are valid for, so every run makes the same records.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from agreements.choices import MeasurementType, SensorType
from agreements.models import Sensor
from catalog.formats.observations import write_observations
from catalog.formats.observations_common import ObservationRecord
from catalog.observations.choices import AssociationStatus
from catalog.observations.models import IngestBatch, Observation
from catalog.observations.services.association import Candidates
from catalog.observations.services.ingest import ingest, receive
from catalog.observations.services.synthetic import Site, _with, catalog_satrecs, generate_tracks
from catalog.services.synthetic import demo_day, synthetic_catalog
from portal.models import User

# The demo day of observations: yesterday, as the element sets (see demo_day).
DAY = demo_day()
FILE_PREFIX = "demo-observations"
# Objects nobody has catalogued: their tracks come back as UCTs.
UNCATALOGUED = 40


@dataclass(frozen=True)
class Delivery:
    username: str
    sensor: int
    fmt: str
    count: int
    hours: tuple[float, float] = (0.0, 24.0)
    named: bool = False  # records give the catalog number they believe they saw
    refused: int = 0  # records spoilt so that the checks refuse them

    @property
    def filename(self) -> str:
        extension = {"udl-json": "json", "csv": "csv", "tdm-kvn": "tdm", "tdm-xml": "xml"}[self.fmt]
        return f"{FILE_PREFIX}-{DAY:%Y%m%d}-{self.sensor}-{self.hours[0]:02.0f}h.{extension}"


DELIVERIES: tuple[Delivery, ...] = (
    Delivery("us_operator", 399, "udl-json", 700),
    Delivery("us_operator", 334, "udl-json", 300, hours=(0.0, 12.0)),
    Delivery("us_operator", 334, "udl-json", 300, hours=(12.0, 24.0)),
    Delivery("us_operator", 241, "tdm-kvn", 400, hours=(2.0, 12.0)),
    Delivery("us_operator", 3691, "tdm-xml", 250, hours=(6.0, 18.0)),
    Delivery("uk_staff", 9101, "tdm-kvn", 300, hours=(18.0, 24.0), named=True),
    Delivery("au_staff", 9401, "udl-json", 400, named=True, refused=4),
    Delivery("au_staff", 9402, "udl-json", 300, hours=(10.0, 20.0)),
    Delivery("fr_staff", 9201, "csv", 300, named=True),
)
# Values of each measurement type, dropped from generated records when the sensor lacks the type.
_FIELDS_OF: dict[str, tuple[str, ...]] = {
    MeasurementType.RANGE: ("range_km", "range_unc_km"),
    MeasurementType.AZIMUTH_ELEVATION: (
        "azimuth_deg",
        "azimuth_unc_deg",
        "elevation_deg",
        "elevation_unc_deg",
    ),
    MeasurementType.RANGE_RATE: ("range_rate_km_s", "range_rate_unc_km_s"),
    MeasurementType.RA_DEC: ("ra_deg", "ra_unc_deg", "declination_deg", "declination_unc_deg", "frame"),
}


def _site(sensor: Sensor) -> Site:
    return Site(
        sensor.name,
        sensor.number,
        sensor.latitude_deg,
        sensor.longitude_deg,
        sensor.altitude_km,
        sensor.sensor_type != SensorType.OPTICAL_TELESCOPE,
        sensor.max_range_km or 50000.0,
        sensor.min_elevation_deg,
    )


def _spoil(records: list[ObservationRecord], count: int) -> list[ObservationRecord]:
    """The usual faults of a bad delivery: below the horizon, from the future, the wrong type."""
    faults: list[dict[str, object]] = [
        {"elevation_deg": -5.0},
        {"ob_time": DAY.replace(year=2099)},
        {"ra_deg": 12.0, "declination_deg": 3.0, "frame": "J2000"},
        {"elevation_deg": 0.5},
    ]
    out = list(records)
    step = max(len(out) // (count + 1), 1)
    for n in range(count):
        i = step * (n + 1)
        out[i] = _with(out[i], **faults[n % len(faults)])
    return out


def _payload(delivery: Delivery, sensor: Sensor, candidates: Candidates, seed: int) -> bytes:
    numbers = {row: number for number, row in candidates.numbers.items()}
    start, end = delivery.hours
    hidden, _ = catalog_satrecs(list(synthetic_catalog(UNCATALOGUED, seed=97, first_number=99_001)))
    generated = generate_tracks(
        candidates.satrecs,
        [numbers[row] for row in range(len(candidates.satrecs))],
        # Phased arrays look at a sector only: generate more than needed and keep what they see.
        delivery.count * 3,
        start=DAY + dt.timedelta(hours=start),
        duration_s=(end - start) * 3600.0,
        hidden=hidden,
        hidden_share=0.04,
        sites=[_site(sensor)],
        seed=seed,
        name_objects=delivery.named,
        per_track=8,
    )
    unmeasured = {
        name: None
        for kind, names in _FIELDS_OF.items()
        if kind not in (sensor.measurement_types or ())
        for name in names
    }
    seen = [_with(r, **unmeasured) for r in generated.records if _in_view(sensor, r)][: delivery.count]
    records = [
        _with(record, index=i, data_mode="REAL", client_id=f"{sensor.number}-{DAY:%Y%m%d}-{seed}-{i}")
        for i, record in enumerate(seen, start=1)
    ]
    if delivery.refused:
        records = _spoil(records, delivery.refused)
    out = io.StringIO()
    write_observations(records, delivery.fmt, out)
    return out.getvalue().encode()


def _in_view(sensor: Sensor, record: ObservationRecord) -> bool:
    # The generator knows a site's horizon and range but not a phased array's azimuth sector.
    if record.azimuth_deg is None or record.elevation_deg is None:
        return True
    return sensor.can_see(record.azimuth_deg, record.elevation_deg, record.range_km)


def seed() -> dict[str, int]:
    users = {u.username: u for u in User.objects.filter(username__in={d.username for d in DELIVERIES})}
    sensors = {s.number: s for s in Sensor.objects.filter(number__in={d.sensor for d in DELIVERIES})}
    batches = IngestBatch.objects.filter(filename__startswith=FILE_PREFIX)
    done = set(batches.values_list("filename", flat=True))
    todo = [d for d in DELIVERIES if d.filename not in done and d.username in users and d.sensor in sensors]
    candidates = Candidates.load() if todo else None
    for delivery in todo:
        if candidates is None or not candidates.satrecs:
            break
        sensor = sensors[delivery.sensor]
        data = _payload(delivery, sensor, candidates, seed=DELIVERIES.index(delivery) + 1)
        batch = receive(users[delivery.username], data, filename=delivery.filename, channel="upload")
        ingest(batch)
    demo = Observation.objects.filter(batch__filename__startswith=FILE_PREFIX)
    return {
        "observation_batches": batches.count(),
        "observations": demo.count(),
        "uct_observations": demo.filter(association=AssociationStatus.UCT).count(),
        "refused_observations": sum(batches.values_list("rejected", flat=True)),
    }
