"""The chunk-at-once checks, corrections, hashes and COPY text agree with the per-record ones."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import numpy as np
import pytest

from agreements.choices import MeasurementType, SensorType
from agreements.models import Sensor
from catalog.formats.errors import RecordError
from catalog.formats.observations_common import FLOAT_FIELDS, ObservationRecord, build_record
from catalog.formats.udl import UDL_NAMES
from catalog.observations.choices import AssociationStatus, BatchStatus
from catalog.observations.models import Observation
from catalog.observations.services.ingest import ingest, ingest_bytes, receive
from catalog.observations.services.validation import (
    DeliveryContext,
    RecordColumns,
    check_columns,
    check_record,
    content_hash,
    content_hashes,
    corrected_columns,
    corrected_values,
)
from catalog.observations.tasks import associate_batch
from portal.markings.marking import Marking
from portal.models import TaskRun
from tests.observations.helpers import T0, optical_record, payload, radar_record

NOW = T0 + dt.timedelta(days=1)


def context(sensor: Sensor, biases: dict[str, float] | None = None) -> DeliveryContext:
    return DeliveryContext(
        sensor=sensor, marking=Marking.unclassified(), tier=1, missions_mask=3, biases=biases or {}
    )


def radar(**changes: Any) -> Sensor:
    values: dict[str, Any] = dict(
        number=9102,
        name="radar",
        sensor_type=SensorType.TRACKING_RADAR,
        latitude_deg=54.0,
        longitude_deg=0.0,
        altitude_km=0.1,
        measurement_types=[MeasurementType.RANGE, MeasurementType.AZIMUTH_ELEVATION],
        min_elevation_deg=5.0,
        max_range_km=6000.0,
        azimuth_min_deg=300.0,
        azimuth_max_deg=60.0,
    )
    values.update(changes)
    return Sensor(**values)


def mixed_records(rng: np.random.Generator, n: int) -> list[ObservationRecord]:
    """Records of every kind a sensor may refuse, and plenty it accepts."""
    out = []
    for i in range(1, n + 1):
        kind = rng.integers(0, 6)
        when = T0 + dt.timedelta(seconds=float(rng.uniform(0, 86400 * 2)))
        if rng.random() < 0.2:
            when = when.replace(microsecond=0)
        if kind <= 2:
            record = radar_record(
                i,
                ob_time=when,
                azimuth_deg=float(rng.uniform(0, 360)),
                elevation_deg=float(rng.uniform(-5, 90)),
                range_km=float(rng.uniform(200, 8000)) if rng.random() < 0.9 else None,
                range_rate_km_s=None if kind else float(rng.normal()),
            )
        elif kind == 3:
            record = radar_record(
                i, ob_time=when, azimuth_deg=None, elevation_deg=None, range_km=float(rng.uniform(200, 8000))
            )
        else:
            frame = ["J2000", "TEME", "ECI", None][int(rng.integers(0, 4))]
            record = optical_record(
                i,
                ob_time=when,
                ra_deg=float(rng.uniform(0, 360)),
                declination_deg=float(rng.uniform(-90, 90)),
                frame=frame,
            )
        out.append(record)
    return out


@pytest.mark.parametrize(
    "sensor",
    [
        radar(),
        radar(azimuth_min_deg=None, azimuth_max_deg=None, max_range_km=None),
        radar(measurement_types=[MeasurementType.RA_DEC], sensor_type=SensorType.OPTICAL_TELESCOPE),
    ],
    ids=["sector radar", "open radar", "telescope"],
)
def test_chunk_checks_accept_and_refuse_exactly_what_record_checks_do(sensor: Sensor) -> None:
    records = mixed_records(np.random.default_rng(5), 3000)
    ctx = context(sensor)
    keep, errors = check_columns(RecordColumns.of(records), ctx, NOW)
    one_by_one = [check_record(r, ctx, NOW) for r in records]
    assert keep.tolist() == [problem is None for problem in one_by_one]
    assert errors == [problem for problem in one_by_one if problem is not None]
    assert 0 < len(errors) < len(records)


def test_chunk_corrections_and_hashes_are_the_record_ones() -> None:
    records = mixed_records(np.random.default_rng(9), 2000)
    records[0] = radar_record(1, azimuth_deg=0.0, range_km=1.0)
    biases: dict[str, float] = {
        MeasurementType.AZIMUTH_ELEVATION: 0.013,
        MeasurementType.RANGE: -0.2,
        MeasurementType.RA_DEC: 3e-4,
    }
    columns = RecordColumns.of(records)
    corrected = corrected_columns(columns, biases)
    for i, record in enumerate(records):
        expected = corrected_values(record, biases)
        assert {name: values[i] for name, values in corrected.items()} == expected
    iso = [r.ob_time.isoformat() for r in records]
    assert content_hashes(7, iso, columns) == [content_hash(7, r) for r in records]


@pytest.mark.parametrize("attr", FLOAT_FIELDS)
def test_numbers_given_as_json_numbers_are_checked_as_text_ones_are(attr: str) -> None:
    base = {"ob_time": "2024-03-15T00:00:00Z", "range_km": 1000.0}
    for value in (-90.0, -1e-9, -0.0, 0.0, 1e-300, 45.5, 90.0, 90.5, 359.999, 360.0, 1e300):
        as_number = build_record(1, 1, {**base, attr: value}, UDL_NAMES)
        as_text = build_record(1, 1, {**base, attr: repr(value)}, UDL_NAMES)
        if isinstance(as_text, RecordError):
            assert isinstance(as_number, RecordError) and as_number == as_text
        else:
            assert as_number == as_text
    for value in (math.inf, -math.inf, math.nan):
        problem = build_record(1, 1, {**base, attr: value}, UDL_NAMES)
        assert isinstance(problem, RecordError) and problem.field == UDL_NAMES.get(attr, attr)


def test_results_do_not_depend_on_the_chunk_size(world: Any, media: Any) -> None:
    objects = json.loads(payload([radar_record(i) for i in range(1, 41)], "udl-json"))
    for i in (3, 4, 17, 30):
        objects[i]["elevation"] = -20.0
    objects[10] = "not an object"
    objects[25] = dict(objects[24])
    objects[35] = dict(objects[2])  # a repeat several chunks later, caught by the database
    data = json.dumps(objects).encode()
    user = world.users["uk_staff"]
    small = ingest(receive(user, data), associate=False, chunk=3)
    Observation.objects.all().delete()
    large = ingest(receive(user, data), associate=False)
    for result in (small, large):
        assert [e["record"] for e in result.errors] == [4, 5, 11, 18, 31]
        assert result.duplicates == [26, 36]
        assert len(result.accepted) == 33 and result.accepted == sorted(result.accepted)
    assert small.errors == large.errors
    assert Observation.objects.count() == 33


def test_a_payload_broken_after_several_chunks_stores_nothing(world: Any, media: Any) -> None:
    good = payload([radar_record(i) for i in range(1, 2001)], "udl-json").decode()
    broken = good[: len(good) - 300] + "{{{ not json"
    result = ingest(receive(world.users["uk_staff"], broken.encode()), associate=False, chunk=150)
    assert result.batch.status == BatchStatus.FAILED
    assert Observation.objects.count() == 0
    again = ingest(receive(world.users["uk_staff"], good.encode()), associate=False, chunk=150)
    assert again.batch.accepted == 2000 == Observation.objects.count()


def test_text_with_tabs_newlines_and_backslashes_is_stored_as_given(world: Any, media: Any) -> None:
    odd = "A\\1\tB\nC\r"
    objects = json.loads(payload([radar_record(1)], "udl-json"))
    objects[0]["clientId"] = odd
    objects[0]["trackId"] = "T\\N"
    result = ingest_bytes(world.users["uk_staff"], json.dumps(objects).encode(), associate=False)
    assert result.batch.accepted == 1, result.errors
    stored = Observation.objects.get()
    assert (stored.client_id, stored.track_id) == (odd.strip(), "T\\N")


def test_association_of_a_batch_is_done_once(world: Any, media: Any) -> None:
    data = payload([radar_record(i) for i in range(1, 6)], "udl-json")
    result = ingest_bytes(world.users["uk_staff"], data, associate=False)
    batch_id = result.batch.pk
    assert Observation.objects.filter(association=AssociationStatus.PENDING).count() == 5
    first = associate_batch(batch_id)
    assert not first["duplicate"] and first["associated"] + first["uct"] == 5
    assert not Observation.objects.filter(association=AssociationStatus.PENDING).exists()
    Observation.objects.filter(batch_id=batch_id).update(residual_angle_deg=1.5)
    second = associate_batch(batch_id)
    assert second["duplicate"]
    assert set(Observation.objects.values_list("residual_angle_deg", flat=True)) == {1.5}
    assert TaskRun.objects.filter(name="catalog.associate_batch").count() == 1


def test_with_a_broker_association_is_queued_after_commit(
    world: Any, media: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(associate_batch, "delay", queued.append)
    conf = associate_batch.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            result = ingest_bytes(world.users["uk_staff"], payload([radar_record(1)], "udl-json"))
    finally:
        conf.task_always_eager = eager
    assert result.batch.status == BatchStatus.ACCEPTED
    assert queued == [] and Observation.objects.get().association == AssociationStatus.PENDING
    for callback in callbacks:
        callback()
    assert queued == [result.batch.pk]
