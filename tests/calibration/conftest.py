"""A radar at Fylingdales observing the calibration satellite whose truth is an OEM."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import numpy as np
import pytest

from agreements.choices import MeasurementType, SensorType
from agreements.services.tiers import seed_default_tiers
from catalog.calibration.truth import import_ephemeris
from catalog.models import CalibrationTruth
from catalog.observations.models import Observation
from portal.markings.marking import Marking
from portal.models import SpOC, User
from tests.astro.skyfield_reference import FYLINGDALES
from tests.calibration import oem_writer
from tests.calibration.scenario import DAY, Injected, pass_times, radar_observations
from tests.calibration.truth import states
from tests.factories import IngestBatchFactory, ObservationFactory, SensorFactory, SpaceObjectFactory

BIASES = {"range": 0.05, "azimuth": 0.01, "elevation": -0.008, "range_rate": 0.0003}
NOISE = {"range": 0.015, "azimuth": 0.005, "elevation": 0.005, "range_rate": 0.0002}


@pytest.fixture
def calibration_setup(coalition: dict[str, User]) -> dict[str, Any]:
    seed_default_tiers()
    spoc = SpOC.objects.get(code="uk-spoc")
    sensor = SensorFactory.create(
        spoc=spoc,
        name="Fylingdales-like radar",
        number=7700,
        sensor_type=SensorType.PHASED_ARRAY_RADAR,
        latitude_deg=FYLINGDALES.lat_deg,
        longitude_deg=FYLINGDALES.lon_deg,
        altitude_km=FYLINGDALES.alt_km,
        measurement_types=[
            MeasurementType.RANGE,
            MeasurementType.AZIMUTH_ELEVATION,
            MeasurementType.RANGE_RATE,
        ],
        max_range_km=5000.0,
        marking="CUI//REL TO USA, GBR",
    )
    calsat = SpaceObjectFactory.create(catalog_number=39000, name="CALSAT", seq=91_000)
    nodes = DAY + (np.arange(0.0, 86_400.0 + 1e-9, 30.0) * 1e6).astype("timedelta64[us]")
    truth, _ = import_ephemeris(
        oem_writer.kvn("CALSAT", "39000", "TEME", "UTC", nodes, states("TEME", nodes)),
        "calsat.oem",
        Marking.parse("CUI//REL TO USA, FVEY"),
    )
    labels = pass_times(FYLINGDALES, step_s=5.0)
    observed, gross = radar_observations(
        FYLINGDALES, labels, Injected(biases=BIASES, noise=NOISE, time_bias_s=0.005, outliers=4)
    )
    batch = IngestBatchFactory.create(
        delivered_by_name="uk_staff", spoc=None, payload="", marking="CUI//REL TO USA, GBR"
    )
    rows = []
    for i, label in enumerate(labels):
        when = dt.datetime.fromisoformat(str(label)).replace(tzinfo=dt.UTC)
        rows.append(
            ObservationFactory.build(
                sensor=sensor,
                batch=batch,
                ob_time=when,
                content_hash=hashlib.md5(f"{i}".encode()).hexdigest(),
                space_object=calsat,
                track_id=f"T{when:%H}",
                range_km=float(observed["range"][i]),
                azimuth_deg=float(observed["azimuth"][i] % 360.0),
                elevation_deg=float(observed["elevation"][i]),
                range_rate_km_s=float(observed["range_rate"][i]),
                marking="CUI//REL TO USA, GBR",
            )
        )
    Observation.objects.bulk_create(rows)
    assert isinstance(truth, CalibrationTruth)
    return {"sensor": sensor, "calsat": calsat, "truth": truth, "gross": gross, "count": len(rows)}
