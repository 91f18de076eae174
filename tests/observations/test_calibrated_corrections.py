"""An accepted calibration run becomes the sensor's corrections: later deliveries have its biases
removed (azimuth and elevation each by its own), and association weighs their residuals by its
noise. The run's results here are planted, as are the biases in the delivered values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.urls import reverse

from agreements.choices import MeasurementType
from agreements.models import SensorBias
from catalog.calibration import runs
from catalog.models import CalibrationRun, CalibrationStatus
from catalog.observations.models import Observation
from catalog.observations.services.association import _FIELDS, Candidates, _arrays
from tests.factories import CalibrationRunFactory
from tests.observations.conftest import add_bias
from tests.observations.helpers import payload, radar_record

PLANTED = {"range": 0.05, "azimuth": 0.01, "elevation": -0.008, "range_rate": 0.0003}
NOISE = {"range": 0.015, "azimuth": 0.004, "elevation": 0.005, "range_rate": 0.0002}


def accepted_run(world: Any, marking: str | None = None) -> CalibrationRun:
    sensor = world.sensors["uk_radar"]
    run = CalibrationRunFactory.create(
        sensor=sensor,
        start=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
        end=dt.datetime(2024, 3, 2, tzinfo=dt.UTC),
        status=CalibrationStatus.DONE,
        results={
            name: {
                "bias": PLANTED[name],
                "bias_sigma": 1e-4,
                "noise": NOISE[name],
                "used": 900,
                "rejected": 2,
            }
            for name in PLANTED
        },
        marking=marking or sensor.marking,
    )
    runs.accept(run, world.users["agreement_admin"])
    return run


def planted_records(n: int = 3) -> tuple[list[Any], list[Any]]:
    """Records as the sensor measures them (true + bias), and the true values."""
    true = [radar_record(i) for i in range(n)]
    measured = [
        radar_record(
            i,
            azimuth_deg=float(t.azimuth_deg or 0.0) + PLANTED["azimuth"],
            elevation_deg=float(t.elevation_deg or 0.0) + PLANTED["elevation"],
            range_km=float(t.range_km or 0.0) + PLANTED["range"],
            range_rate_km_s=float(t.range_rate_km_s or 0.0) + PLANTED["range_rate"],
        )
        for i, t in enumerate(true)
    ]
    return measured, true


def deliver(world: Any, api_client_for: Any, records: list[Any]) -> None:
    uk = api_client_for(world.users["uk_staff"])
    answer = uk.post("/api/observations/", payload(records, "udl-json"), content_type="application/json")
    assert answer.status_code == 201, answer.content


def test_acceptance_writes_the_runs_biases_as_the_current_ones(world: Any) -> None:
    add_bias(world.sensors["uk_radar"], MeasurementType.AZIMUTH_ELEVATION, 0.2)  # hand-entered, older
    run = accepted_run(world)
    runs.accept(run, world.users["agreement_admin"])  # twice: the rows are written once
    rows = SensorBias.objects.filter(sensor=world.sensors["uk_radar"], source=runs.run_source(run))
    assert rows.count() == 3  # range, azimuth/elevation, range rate
    current = world.sensors["uk_radar"].current_biases()
    azel = current[MeasurementType.AZIMUTH_ELEVATION]
    assert azel.source == runs.run_source(run)
    assert azel.bias_of("azimuth_deg") == pytest.approx(0.01)
    assert azel.bias_of("elevation_deg") == pytest.approx(-0.008)
    assert azel.noise_sigma == pytest.approx(0.005)  # the larger of the two, on the sky
    assert azel.marking == run.marking
    assert current[MeasurementType.RANGE].bias_of("range_km") == pytest.approx(0.05)


def test_later_deliveries_have_the_planted_bias_removed(world: Any, api_client_for: Any) -> None:
    accepted_run(world)
    measured, true = planted_records()
    deliver(world, api_client_for, measured)
    stored = sorted(Observation.objects.all(), key=lambda o: o.ob_time)
    assert len(stored) == len(true)
    for obs, t in zip(stored, true, strict=True):
        assert obs.azimuth_deg == pytest.approx(t.azimuth_deg + 0.01)  # raw kept as delivered
        assert obs.azimuth_deg_corr == pytest.approx(t.azimuth_deg, abs=1e-9)
        assert obs.elevation_deg_corr == pytest.approx(t.elevation_deg, abs=1e-9)
        assert obs.range_km_corr == pytest.approx(t.range_km, abs=1e-9)
        assert obs.range_rate_km_s_corr == pytest.approx(t.range_rate_km_s, abs=1e-12)


def test_association_weighs_by_the_calibrated_noise(world: Any, api_client_for: Any) -> None:
    accepted_run(world)
    measured, _ = planted_records(2)
    deliver(world, api_client_for, measured)
    sensor = world.sensors["uk_radar"]

    rows = list(Observation.objects.order_by("ob_time").values_list(*_FIELDS))
    arrays = _arrays(rows, {sensor.pk: sensor}, Candidates([], np.empty(0), {}, None), {})
    # Delivered uncertainties were 0.02 deg, 0.03 km, 0.001 km/s; the run's noise replaces them.
    assert list(arrays.angle_unc_deg) == pytest.approx([0.005, 0.005])
    assert list(arrays.range_unc_km) == pytest.approx([0.015, 0.015])
    assert list(arrays.range_rate_unc_km_s) == pytest.approx([0.0002, 0.0002])


def test_a_run_the_partner_may_not_read_leaves_it_the_raw_values_only(
    world: Any, api_client_for: Any
) -> None:
    accepted_run(world, marking="TOP SECRET//NOFORN")
    measured, _ = planted_records(1)
    deliver(world, api_client_for, measured)
    stored = Observation.objects.get()
    assert stored.azimuth_deg_corr != stored.azimuth_deg
    body = api_client_for(world.users["uk_staff"]).get(f"/api/observations/{stored.pk}/").json()
    assert body["azimuth_deg"] == stored.azimuth_deg and body["azimuth_deg_corr"] is None
    full = api_client_for(world.users["security_officer"]).get(f"/api/observations/{stored.pk}/").json()
    assert full["azimuth_deg_corr"] == pytest.approx(stored.azimuth_deg_corr)


def test_the_sensor_page_shows_both_biases_of_a_pair(world: Any, client: Any) -> None:
    run = accepted_run(world)
    client.force_login(world.users["uk_staff"])
    page = client.get(reverse("sensor-detail", args=[world.sensors["uk_radar"].pk])).content.decode()
    assert runs.run_source(run) in page
    assert "azimuth_deg 0.01" in page and "elevation_deg -0.008" in page
