"""Every format lands end to end; bad records come back precisely; re-delivery stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from catalog.observations.choices import BatchStatus
from catalog.observations.models import IngestBatch, Observation
from catalog.observations.services.ingest import ingest, ingest_bytes, receive
from tests.observations.helpers import T0, optical_record, payload, radar_record

FORMATS = ["udl-json", "csv", "tdm-kvn", "tdm-xml"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_is_ingested_end_to_end(world: Any, media: Any, fmt: str) -> None:
    records = [radar_record(i) for i in range(1, 6)]
    result = ingest_bytes(
        world.users["uk_staff"], payload(records, fmt), filename=f"obs.{fmt}", associate=False
    )
    batch = result.batch
    assert batch.status == BatchStatus.ACCEPTED, result.errors
    assert batch.data_format == fmt
    assert (batch.accepted, batch.rejected, batch.duplicates) == (5, 0, 0)
    stored = list(Observation.objects.order_by("ob_time"))
    assert [o.ob_time for o in stored] == [r.ob_time for r in records]
    first = stored[0]
    assert first.sensor == world.sensors["uk_radar"]
    assert first.azimuth_deg == pytest.approx(101.0)
    assert first.range_km == pytest.approx(1501.0)
    assert first.range_rate_km_s == pytest.approx(-1.5)
    assert first.tier_at_ingest == 1
    assert first.batch == batch


@pytest.mark.parametrize("fmt", FORMATS)
def test_optical_records_in_each_format(world: Any, media: Any, fmt: str) -> None:
    records = [optical_record(i) for i in range(1, 4)]
    result = ingest_bytes(world.users["uk_staff"], payload(records, fmt), associate=False)
    assert result.batch.accepted == 3, result.errors
    obs = Observation.objects.order_by("ob_time").first()
    assert obs is not None
    assert obs.ra_deg == pytest.approx(120.01)
    assert obs.declination_deg == pytest.approx(-4.99)
    assert obs.frame in {"J2000", "EME2000"}
    assert obs.tier_at_ingest == 2


def test_the_raw_payload_is_archived_before_parsing(world: Any, media: Any) -> None:
    data = b"this is not an observation file at all"
    batch = receive(world.users["uk_staff"], data, filename="junk.bin")
    assert batch.pk is not None
    with batch.payload.open("rb") as handle:
        assert handle.read() == data
    result = ingest(batch)
    assert result.batch.status == BatchStatus.FAILED
    assert "unrecognised" in result.batch.message
    assert IngestBatch.objects.get(pk=batch.pk).payload_bytes == len(data)


def test_bad_records_are_reported_with_index_and_field_while_good_ones_land(world: Any, media: Any) -> None:
    objects = [json.loads(payload([radar_record(i)], "udl-json"))[0] for i in range(1, 7)]
    objects[1]["obTime"] = "2999-01-01T00:00:00Z"  # far future
    objects[2]["elevation"] = 1.0  # below the sensor's minimum elevation (3 deg)
    objects[3]["azimuth"] = 400.0  # not a physical azimuth
    objects[4]["ra"], objects[4]["declination"] = 10.0, 10.0  # a radar does not measure RA/Dec
    del objects[5]["obTime"]
    result = ingest_bytes(world.users["uk_staff"], json.dumps(objects).encode(), associate=False)
    assert result.batch.status == BatchStatus.PARTIAL
    assert result.accepted == [1]
    assert Observation.objects.count() == 1
    errors = {e["record"]: e["field"] for e in result.errors}
    assert errors == {2: "obTime", 3: "elevation", 4: "azimuth", 5: "ra", 6: "obTime"}
    assert result.batch.rejected == 5
    assert all(e["message"] for e in result.errors)


def test_a_csv_error_names_its_line(world: Any, media: Any) -> None:
    text = payload([radar_record(1), radar_record(2)], "csv").decode().splitlines()
    text[2] = text[2].replace("2024-03-15", "2024-13-15")
    result = ingest_bytes(world.users["uk_staff"], "\n".join(text).encode(), associate=False)
    assert result.accepted == [1]
    assert result.errors[0]["record"] == 2
    assert result.errors[0]["line"] == 3
    assert result.errors[0]["field"] == "obTime"


def test_redelivery_is_a_no_op(world: Any, media: Any) -> None:
    data = payload([radar_record(i) for i in range(1, 11)], "tdm-kvn")
    first = ingest_bytes(world.users["uk_staff"], data, associate=False)
    again = ingest_bytes(world.users["uk_staff"], data, associate=False)
    assert first.batch.accepted == 10
    assert (again.batch.accepted, again.batch.duplicates) == (0, 10)
    assert again.batch.status == BatchStatus.ACCEPTED
    assert Observation.objects.count() == 10
    # The same records in another format are the same measurements.
    other = ingest_bytes(world.users["uk_staff"], payload([radar_record(i) for i in range(1, 11)], "csv"))
    assert other.batch.duplicates == 10
    assert Observation.objects.count() == 10


def test_client_ids_are_honoured(world: Any, media: Any) -> None:
    first = ingest_bytes(world.users["uk_staff"], payload([radar_record(1, client_id="A-1")], "udl-json"))
    # A corrected value under the same client id is the same record: kept once.
    second = ingest_bytes(
        world.users["uk_staff"], payload([radar_record(1, client_id="A-1", range_km=1600.0)], "udl-json")
    )
    assert first.batch.accepted == 1
    assert second.batch.duplicates == 1
    assert Observation.objects.get().client_id == "A-1"
    assert Observation.objects.get().range_km == pytest.approx(1501.0)


def test_duplicates_inside_one_payload_are_stored_once(world: Any, media: Any) -> None:
    result = ingest_bytes(world.users["uk_staff"], payload([radar_record(1), radar_record(1)], "udl-json"))
    assert result.accepted == [1]
    assert result.duplicates == [2]


def test_a_payload_broken_mid_stream_stores_nothing(world: Any, media: Any) -> None:
    good = payload([radar_record(i) for i in range(1, 8001)], "udl-json").decode()
    broken = good[: len(good) - 300] + "{{{ not json"
    result = ingest_bytes(world.users["uk_staff"], broken.encode(), associate=False)
    assert result.batch.status == BatchStatus.FAILED
    assert "nothing stored" in result.batch.message
    assert Observation.objects.count() == 0


def test_bias_correction_keeps_raw_values(world: Any, media: Any) -> None:
    from tests.observations.conftest import add_bias

    add_bias(world.sensors["uk_radar"], "range", 0.25)
    add_bias(world.sensors["uk_radar"], "azimuth_elevation", 0.01)
    ingest_bytes(world.users["uk_staff"], payload([radar_record(1)], "udl-json"), associate=False)
    obs = Observation.objects.get()
    assert obs.range_km == pytest.approx(1501.0)
    assert obs.range_km_corr == pytest.approx(1500.75)
    assert obs.azimuth_deg_corr == pytest.approx(100.99)
    assert obs.elevation_deg_corr == pytest.approx(30.09)
    assert obs.range_rate_km_s_corr == pytest.approx(-1.5)


def test_the_time_tolerance_accepts_a_slightly_fast_clock(world: Any, media: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    soon = timezone.now() + dt.timedelta(minutes=2)
    result = ingest_bytes(world.users["uk_staff"], payload([radar_record(1, ob_time=soon)], "udl-json"))
    assert result.batch.accepted == 1
    assert soon > T0


def test_a_tdm_segment_in_an_unknown_time_system_is_named_not_called_empty(world: Any, media: Any) -> None:
    text = (
        "CCSDS_TDM_VERS = 2.0\nCREATION_DATE = 2024-03-01T12:00:00\nORIGINATOR = GBR\nMETA_START\n"
        "TIME_SYSTEM = XYZ\nPARTICIPANT_1 = 9102\nPARTICIPANT_2 = 25544\nMODE = SEQUENTIAL\nPATH = 1,2,1\n"
        "META_STOP\nDATA_START\nTEMPERATURE = 2024-03-01T10:15:00 290.0\nDATA_STOP\n"
    )
    result = ingest_bytes(world.users["uk_staff"], text.encode(), associate=False)
    assert result.batch.status == BatchStatus.REJECTED
    assert "holds no observation" not in result.batch.message
    assert [(e["field"], e["line"]) for e in result.errors] == [("TIME_SYSTEM", 5)]


def test_a_chunk_of_observations_is_stored_by_one_insert(world: Any, media: Any) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL stores a chunk by COPY from a second thread")
    records = [radar_record(i) for i in range(1, 1201)]
    data = payload(records, "udl-json")
    inserts: list[str] = []

    def watch(execute: Any, sql: str, *args: Any) -> Any:
        if sql.startswith("INSERT") and '"catalog_observation"' in sql:
            inserts.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(watch):
        result = ingest_bytes(world.users["uk_staff"], data, filename="obs.json", associate=False)
    assert result.batch.accepted == 1200 and Observation.objects.count() == 1200
    # One statement for the chunk: the model layer's inserts, held under SQLite's limit on the
    # values of one statement, took one per 18 rows.
    assert len(inserts) == 1
