"""Observation files written for tests: records at known times, in any delivered format."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from catalog.formats.observations import write_observations
from catalog.formats.observations_common import ObservationRecord

T0 = dt.datetime(2024, 3, 15, 2, 0, tzinfo=dt.UTC)


def radar_record(i: int, sensor: int = 9102, **changes: Any) -> ObservationRecord:
    values: dict[str, Any] = dict(
        index=i,
        sensor_ref=str(sensor),
        ob_time=T0 + dt.timedelta(seconds=10 * i),
        azimuth_deg=(100.0 + i) % 360,
        azimuth_unc_deg=0.02,
        elevation_deg=30.0 + (i % 400) / 10,
        elevation_unc_deg=0.02,
        range_km=1500.0 + i,
        range_unc_km=0.03,
        range_rate_km_s=-1.5,
        range_rate_unc_km_s=0.001,
        track_id="TRK-1",
        data_mode="REAL",
    )
    values.update(changes)
    return ObservationRecord(**values)


def optical_record(i: int, sensor: int = 9101, **changes: Any) -> ObservationRecord:
    values: dict[str, Any] = dict(
        index=i,
        sensor_ref=str(sensor),
        ob_time=T0 + dt.timedelta(seconds=10 * i),
        ra_deg=120.0 + i / 100,
        declination_deg=-5.0 + i / 100,
        ra_unc_deg=0.0003,
        declination_unc_deg=0.0003,
        frame="J2000",
        track_id="TRK-O",
        data_mode="REAL",
    )
    values.update(changes)
    return ObservationRecord(**values)


def payload(records: list[ObservationRecord], fmt: str) -> bytes:
    out = io.StringIO()
    write_observations(records, fmt, out)
    return out.getvalue().encode()
