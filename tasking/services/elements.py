"""The element sets copied onto a request, and the passes predicted from them over the partner's sensors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from agreements.choices import SensorType
from agreements.models import Sensor
from catalog.astro.frames import GroundSite
from catalog.astro.propagation import MeanElements, satrec_from_elements
from catalog.astro.visibility import VisibilityLimits, find_passes
from catalog.models import ElementSet
from catalog.services.earth_orientation import active_table
from portal.markings.marking import Marking
from tasking.models import PredictedPass, RequestTarget, TaskingRequest

ELEMENT_FIELDS = (
    "epoch",
    "mean_motion",
    "eccentricity",
    "inclination",
    "ra_of_asc_node",
    "arg_of_pericenter",
    "mean_anomaly",
    "bstar",
    "mean_motion_dot",
    "mean_motion_ddot",
)
# Passes are predicted for at most this much of each window; a longer window is rare and the
# partner plans it with its own tools.
MAX_PREDICTION_SPAN = dt.timedelta(days=3)
CANDIDATE_SETS = 20


def covered_by(inner: Marking, outer: Marking) -> bool:
    """True when everyone who may read `outer` may also read `inner`."""
    return outer.no_looser_than(inner)


def best_element_set(space_object_id: int, request_marking: Marking, reader: Any = None) -> ElementSet | None:
    """The newest set of the object that every reader of the request may also read."""
    sets = ElementSet.objects.filter(space_object_id=space_object_id)
    if reader is not None:
        sets = sets.visible_to(reader)
    # With its object: the copy carried on the request names the catalog number.
    for elset in sets.select_related("space_object").order_by("-epoch", "-id")[:CANDIDATE_SETS]:
        if covered_by(elset.marking, request_marking):
            return elset
    return None


def copy_of(elset: ElementSet) -> dict[str, Any]:
    values = {name: getattr(elset, name) for name in ELEMENT_FIELDS}
    values["epoch"] = elset.epoch.isoformat()
    values["catalog_number"] = elset.space_object.catalog_number
    values["element_set_id"] = elset.pk
    values["marking"] = elset.marking.banner
    return values


def mean_elements(copy: dict[str, Any]) -> MeanElements:
    return MeanElements(
        catalog_number=int(copy["catalog_number"]),
        epoch=dt.datetime.fromisoformat(copy["epoch"]),
        mean_motion_rev_per_day=float(copy["mean_motion"]),
        eccentricity=float(copy["eccentricity"]),
        inclination_deg=float(copy["inclination"]),
        raan_deg=float(copy["ra_of_asc_node"]),
        arg_perigee_deg=float(copy["arg_of_pericenter"]),
        mean_anomaly_deg=float(copy["mean_anomaly"]),
        bstar=float(copy["bstar"]),
        ndot=float(copy["mean_motion_dot"]),
        nddot=float(copy["mean_motion_ddot"]),
    )


def attach_elements(target: RequestTarget, elset: ElementSet | None, now: dt.datetime) -> None:
    target.element_set = elset
    target.elements = copy_of(elset) if elset is not None else {}
    target.elements_epoch = elset.epoch if elset is not None else None
    target.elements_copied_at = now if elset is not None else None


def _limits(sensor: Sensor) -> VisibilityLimits:
    return VisibilityLimits(
        min_elevation_deg=sensor.min_elevation_deg,
        azimuth_min_deg=sensor.azimuth_min_deg,
        azimuth_max_deg=sensor.azimuth_max_deg,
        max_range_km=sensor.max_range_km,
        optical=sensor.sensor_type == SensorType.OPTICAL_TELESCOPE,
    )


def _aware(value: np.datetime64) -> dt.datetime:
    seconds = value.astype("datetime64[us]").astype(np.int64) / 1e6
    return dt.datetime.fromtimestamp(float(seconds), tz=dt.UTC)


def predict_passes(
    request: TaskingRequest,
    targets: Sequence[RequestTarget],
    sensors: Iterable[Sensor],
    windows: Iterable[tuple[dt.datetime, dt.datetime]],
) -> list[PredictedPass]:
    """Passes of every target with elements over every sensor in the windows (not saved)."""
    with_elements = [t for t in targets if t.elements]
    if not with_elements:
        return []
    satrecs = [satrec_from_elements(mean_elements(t.elements)) for t in with_elements]
    # UT1 - UTC and polar motion from the freshest table, imported or packaged.
    eop = active_table().table
    found: list[PredictedPass] = []
    for sensor in sensors:
        site = GroundSite(sensor.latitude_deg, sensor.longitude_deg, sensor.altitude_km)
        limits = _limits(sensor)
        for start, end in windows:
            end = min(end, start + MAX_PREDICTION_SPAN)
            for window in find_passes(satrecs, site, start, end, limits, eop=eop):
                found.append(
                    PredictedPass(
                        request=request,
                        target=with_elements[window.satellite_index],
                        sensor=sensor,
                        rise=_aware(window.rise),
                        culmination=_aware(window.culmination),
                        set=_aware(window.set),
                        max_elevation_deg=round(window.max_elevation_deg, 2),
                        rise_azimuth_deg=round(window.rise_azimuth_deg, 2),
                        set_azimuth_deg=round(window.set_azimuth_deg, 2),
                    )
                )
    found.sort(key=lambda p: p.rise)
    return found


def sensors_for(request: TaskingRequest) -> list[Sensor]:
    from tasking.services.routing import _fit

    if request.sensor_id is not None:
        return [request.sensor] if request.sensor is not None else []
    return [
        s
        for s in Sensor.objects.filter(spoc_id=request.spoc_id, is_us_ssn=False)
        if _fit(s, request.minimum_tier, request.observation_type)
    ]


def replace_passes(request: TaskingRequest, sensors: Iterable[Sensor] | None = None) -> int:
    targets = list(request.targets.select_related("space_object"))
    passes = predict_passes(
        request,
        targets,
        sensors if sensors is not None else sensors_for(request),
        request.execution_windows(),
    )
    with transaction.atomic():
        PredictedPass.objects.filter(request=request).delete()
        PredictedPass.objects.bulk_create(passes)
    return len(passes)


def refresh_elements(request: TaskingRequest, now: dt.datetime | None = None) -> int:
    """Swap in newer element sets (still readable by every reader of the request); returns how many.

    Passes are predicted again when anything changed.
    """
    now = now or timezone.now()
    marking = request.marking
    changed = 0
    for target in request.targets.all():
        newest = best_element_set(target.space_object_id, marking, request.requested_by)
        if newest is None or (target.elements_epoch is not None and newest.epoch <= target.elements_epoch):
            continue
        attach_elements(target, newest, now)
        target.save(update_fields=["element_set", "elements", "elements_epoch", "elements_copied_at"])
        changed += 1
    if changed:
        replace_passes(request)
    return changed
