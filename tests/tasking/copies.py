"""Many requests at once for tests at scale: copies of one filed request, written in bulk with
their windows, targets, passes and the SpOC staff's object permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import Permission

from tasking.models import (
    PredictedPass,
    RequestTarget,
    RequestWindow,
    TaskingRequest,
    TaskingRequestGroupObjectPermission,
)
from tasking.services.staff import staff_group


def copies(original: TaskingRequest, count: int, **fields: Any) -> list[TaskingRequest]:
    """`count` copies of `original` (same marking, SpOC, targets, windows and passes), with
    `fields` overriding columns; copy i's deadline is the original's plus i minutes."""
    base = TaskingRequest.objects.get(pk=original.pk)
    rows = []
    for i in range(count):
        row = TaskingRequest.objects.get(pk=original.pk)
        row.pk = None
        row.title = f"{base.title} #{i}"
        if base.response_deadline is not None:
            row.response_deadline = base.response_deadline + dt.timedelta(minutes=i)
        for name, value in fields.items():
            setattr(row, name, value)
        rows.append(row)
    made = TaskingRequest.objects.bulk_create(rows)
    windows = list(RequestWindow.objects.filter(request=base))
    targets = list(RequestTarget.objects.filter(request=base))
    passes = list(PredictedPass.objects.filter(request=base))
    RequestWindow.objects.bulk_create(
        RequestWindow(request=r, start=w.start, end=w.end) for r in made for w in windows
    )
    new_targets = RequestTarget.objects.bulk_create(
        RequestTarget(
            request=r,
            space_object_id=t.space_object_id,
            element_set_id=t.element_set_id,
            elements=t.elements,
            elements_epoch=t.elements_epoch,
        )
        for r in made
        for t in targets
    )
    target_of = {(t.request_id, t.space_object_id): t for t in new_targets}
    old_object = {t.pk: t.space_object_id for t in targets}
    PredictedPass.objects.bulk_create(
        PredictedPass(
            request=r,
            target=target_of[(r.pk, old_object[p.target_id])],
            sensor_id=p.sensor_id,
            rise=p.rise,
            culmination=p.culmination,
            set=p.set,
            max_elevation_deg=p.max_elevation_deg,
            rise_azimuth_deg=p.rise_azimuth_deg,
            set_azimuth_deg=p.set_azimuth_deg,
        )
        for r in made
        for p in passes
    )
    group = staff_group(base.spoc)
    perms = Permission.objects.filter(
        content_type__app_label="tasking", codename__in=["answer_taskingrequest", "view_taskingrequest"]
    )
    TaskingRequestGroupObjectPermission.objects.bulk_create(
        TaskingRequestGroupObjectPermission(group=group, permission=p, content_object=r)
        for r in made
        for p in perms
    )
    return made
