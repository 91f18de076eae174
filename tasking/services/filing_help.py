"""What the filing page offers before a request exists: a catalog picker, a pass preview and the
marking a request to a partner starts from.

Everything here reads as the filer: objects and element sets from `visible_to(filer)`, sensors
and agreements through the same routing the filing uses, so the preview shows exactly what the
filed request would carry, and a hidden object is as absent from the picker and the preview as a
missing one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from agreements.models import Sensor
from agreements.services.coverage import agreements_for
from catalog.models import ElementSet, SpaceObject
from portal.errors import DomainError
from portal.markings.marking import Marking, MarkingError
from portal.models import SpOC
from tasking.models import PredictedPass, RequestTarget, TaskingRequest
from tasking.services.elements import MAX_PREDICTION_SPAN, attach_elements, best_element_set, predict_passes
from tasking.services.routing import find_route
from tasking.services.windows import check_window

PICK_LIMIT = 20
QUERY_MAX = 40
# (key, label, length): the window presets offered beside the window fields.
WINDOW_PRESETS: tuple[tuple[str, str, dt.timedelta], ...] = (
    ("6h", "Next 6 h", dt.timedelta(hours=6)),
    ("24h", "Next 24 h", dt.timedelta(hours=24)),
    ("3d", "Next 3 days", dt.timedelta(days=3)),
)


def pick_objects(filer: Any, text: str, limit: int = PICK_LIMIT) -> list[SpaceObject]:
    """Objects the filer may read whose number starts with, or whose name or international
    designator contains, `text`; an exact catalog number comes first."""
    text = text.strip()[:QUERY_MAX]
    if not text:
        return []
    condition = Q(name__icontains=text) | Q(intl_designator__icontains=text)
    if text.isdigit():
        condition |= Q(catalog_number__startswith=text)
    rows = list(
        SpaceObject.objects.visible_to(filer)
        .filter(condition)
        .only("catalog_number", "name", "intl_designator", "classification_level", "noforn", "rel_mask")
        .order_by("catalog_number")[:limit]
    )
    if text.isdigit() and not any(r.catalog_number == int(text) for r in rows):
        rows = list(SpaceObject.objects.visible_to(filer).filter(catalog_number=int(text))) + rows
    rows.sort(key=lambda r: (str(r.catalog_number) != text, r.catalog_number))
    return rows[:limit]


def pick_json(obj: SpaceObject) -> dict[str, Any]:
    """One match as the picker shows it, with the object's own marking."""
    return {
        "catalog_number": obj.catalog_number,
        "name": obj.name,
        "intl_designator": obj.intl_designator,
        "marking": obj.marking.banner,
        "portion": obj.marking.portion,
    }


def default_markings(filer: Any, at: dt.datetime) -> dict[str, str]:
    """For each partner SpOC (by id) the filer may task, the marking its agreement gives
    to shared data, combined with the agreement's own marking so that the request's readers may
    read the terms it carries; the form starts from it."""
    found: dict[str, str] = {}
    agreements = (
        agreements_for(filer)
        .active_at(at)
        # A SpOC-level agreement first ("spoc_level" sorts after "sensor_level").
        .order_by("partner_id", "-kind", "-effective_from", "-pk")
    )
    for agreement in agreements:
        key = str(agreement.partner_id)
        if key in found:
            continue
        try:
            shared = agreement.shared_data_marking
        except MarkingError:
            continue  # an unparseable default offers nothing rather than a guess
        found[key] = Marking.combine(shared, agreement.marking).banner
    return found


@dataclass
class Preview:
    """Passes of the targets over the sensors that would execute the request, or why there are none."""

    passes: list[PredictedPass] = field(default_factory=list)
    sensors: list[Sensor] = field(default_factory=list)
    without_elements: list[SpaceObject] = field(default_factory=list)
    problem: str = ""
    spoc: SpOC | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    truncated: bool = False
    # How much of the window passes are predicted for (the page says it when `truncated`).
    predicted_for: dt.timedelta | None = None
    # What the preview is derived from (targets, element sets, sensors), combined.
    marking: Marking | None = None


def _element_set(obj: SpaceObject, filer: Any, marking: Marking | None) -> ElementSet | None:
    if marking is not None:
        # What the filed request would carry: the newest set its readers may all read.
        return best_element_set(obj.pk, marking, filer)
    return ElementSet.objects.visible_to(filer).filter(space_object=obj).order_by("-epoch", "-id").first()


def preview_passes(
    filer: Any,
    *,
    targets: list[SpaceObject],
    spoc: SpOC | None,
    sensor: Sensor | None,
    start: dt.datetime,
    end: dt.datetime,
    minimum_tier: int,
    observation_type: str,
    marking: Marking | None,
    now: dt.datetime,
) -> Preview:
    """The passes the request would be filed with, predicted now and saved nowhere."""
    preview = Preview(start=start, end=end)
    try:
        check_window(start, end, now, field="window_start")
        found = find_route(
            spoc=spoc,
            sensor=sensor,
            minimum_tier=minimum_tier,
            observation_type=observation_type,
            at=now,
            filer=filer,
        )
    except DomainError as exc:
        preview.problem = exc.message
        return preview
    preview.spoc = found.spoc
    preview.sensors = found.sensors
    request = TaskingRequest(spoc=found.spoc, sensor=found.sensor)
    request_targets = []
    for obj in targets:
        target = RequestTarget(request=request, space_object=obj)
        attach_elements(target, _element_set(obj, filer, marking), now)
        if not target.elements:
            preview.without_elements.append(obj)
        request_targets.append(target)
    preview.passes = predict_passes(request, request_targets, found.sensors, [(start, end)])
    inputs = [o.marking for o in targets] + [s.marking for s in found.sensors]
    inputs += [Marking.parse(t.elements["marking"]) for t in request_targets if t.elements]
    preview.marking = Marking.combine(*inputs) if inputs else None
    preview.truncated = end - start > MAX_PREDICTION_SPAN
    preview.predicted_for = MAX_PREDICTION_SPAN
    return preview
