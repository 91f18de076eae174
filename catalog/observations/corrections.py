"""Bias-corrected values are derived from the sensor's biases: a reader sees them only when
they may read every bias row of the sensor (raw values stay as delivered).

Which bias rows were applied to a given observation is not stored, so the rule is taken over
all of the sensor's bias rows: stricter than needed, never looser."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agreements.models import SensorBias

CORRECTED_FIELDS = (
    "range_km_corr",
    "azimuth_deg_corr",
    "elevation_deg_corr",
    "range_rate_km_s_corr",
    "ra_deg_corr",
    "declination_deg_corr",
)


def sensors_with_hidden_biases(user: Any, sensor_ids: Iterable[int]) -> set[int]:
    """Of `sensor_ids`, those with a bias row `user` may not read (one query)."""
    ids = {pk for pk in sensor_ids if pk is not None}
    if not ids:
        return set()
    readable = SensorBias.objects.visible_to(user).values("pk")
    hidden = SensorBias.objects.filter(sensor_id__in=ids).exclude(pk__in=readable)
    return set(hidden.values_list("sensor_id", flat=True))


def withhold_corrections(observations: Iterable[Any], user: Any) -> None:
    """Blank, in memory only, the corrected values `user` may not read."""
    rows = list(observations)
    withheld = sensors_with_hidden_biases(user, {obs.sensor_id for obs in rows})
    for obs in rows:
        obs._corrections_checked = True
        if obs.sensor_id in withheld:
            for name in CORRECTED_FIELDS:
                setattr(obs, name, None)
