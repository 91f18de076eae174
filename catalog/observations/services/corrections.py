"""Derived values are shown only to who may read everything they are derived from.

Bias-corrected values are derived from the sensor's biases: a reader sees them only when they
may read every bias row of the sensor (raw values stay as delivered). Which bias rows were
applied to a given observation is not stored, so the rule is taken over all of the sensor's bias
rows: stricter than needed, never looser.

Residuals of an associated observation (observed corrected values minus the prediction of the
object's element set) are derived from the corrected values and that element set: a reader
sees them only when the corrected values are shown and they may read the element set the
residuals were computed from (none recorded: withheld)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from agreements.models import SensorBias
from catalog.models import ElementSet

CORRECTED_FIELDS = (
    "range_km_corr",
    "azimuth_deg_corr",
    "elevation_deg_corr",
    "range_rate_km_s_corr",
    "ra_deg_corr",
    "declination_deg_corr",
)
RESIDUAL_FIELDS = (
    "residual_angle_deg",
    "residual_range_km",
    "residual_azimuth_deg",
    "residual_elevation_deg",
    "residual_range_rate_km_s",
    "residual_ra_deg",
    "residual_declination_deg",
)


def sensors_with_hidden_biases(user: Any, sensor_ids: Iterable[int]) -> set[int]:
    """Of `sensor_ids`, those with a bias row `user` may not read (one query)."""
    ids = {pk for pk in sensor_ids if pk is not None}
    if not ids:
        return set()
    readable = SensorBias.objects.visible_to(user).values("pk")
    hidden = SensorBias.objects.filter(sensor_id__in=ids).exclude(pk__in=readable)
    return set(hidden.values_list("sensor_id", flat=True))


def readable_element_sets(user: Any, set_ids: Iterable[int | None]) -> set[int]:
    """Of `set_ids`, the element sets `user` may read (one query)."""
    ids = {pk for pk in set_ids if pk is not None}
    if not ids:
        return set()
    return set(ElementSet.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def withhold_corrections(observations: Iterable[Any], user: Any) -> None:
    """Blank, in memory only, the corrected values and residuals `user` may not read."""
    rows = list(observations)
    withheld = sensors_with_hidden_biases(user, {obs.sensor_id for obs in rows})
    sets = readable_element_sets(user, {getattr(obs, "residual_element_set_id", None) for obs in rows})
    for obs in rows:
        obs._corrections_checked = True
        hidden_corrections = obs.sensor_id in withheld
        if hidden_corrections:
            for name in CORRECTED_FIELDS:
                setattr(obs, name, None)
        if hidden_corrections or getattr(obs, "residual_element_set_id", None) not in sets:
            for name in RESIDUAL_FIELDS:
                setattr(obs, name, None)
