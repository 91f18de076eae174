"""A large retasking run's access windows, split across the Celery workers.

SGP4 propagation holds the GIL, so one process predicts on one core. A run with more targets
than `settings.RETASK_CHUNK_TARGETS` sends its targets in chunks as a Celery chord: each chunk
task (`tasking.retask_chunk`) predicts the windows of its targets from the run's sensors and
touches no table; the chord's callback (`tasking.retask_finish`) schedules and books the whole
run at once, in one transaction, as a run in one task does.

What a lost worker costs: a chunk task is acknowledged late, so a chunk whose worker dies is
delivered again and computed again (it books nothing). The callback is a recorded run of its
own (one per retasking run); if its worker dies, the recovery sweep fails the retasking run
(`retasking.release_lost_run`) and queues the callback again without the chunks' results, and
that delivery predicts the windows in process before booking. Bookings are only ever made in
the callback's one transaction, so nothing is booked twice.

The chunks' windows travel through the result backend (the broker's Redis); without a broker
the chord runs in process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from celery import chord, current_app
from django.conf import settings

from catalog.astro.access import FieldOfRegard
from tasking.models import RetaskingRun
from tasking.services import retasking

CHUNK_TASK = "tasking.retask_chunk"
FINISH_TASK = "tasking.retask_finish"
FAILED_TASK = "tasking.retask_split_failed"


def chunks_of(prepared: retasking.Prepared, size: int) -> list[list[list[Any]]]:
    """The prepared targets as ``[space object id, elements]`` pairs, ``size`` to a chunk."""
    if size < 1:
        raise ValueError(f"RETASK_CHUNK_TARGETS: {size} must be at least 1")
    pairs = [[obj, elements] for obj, elements in prepared.targets.items()]
    return [pairs[i : i + size] for i in range(0, len(pairs), size)]


def dispatch(run: RetaskingRun, prepared: retasking.Prepared) -> bool:
    """Send the run's visibility as a chord of chunks; False when one chunk would do."""
    chunks = chunks_of(prepared, settings.RETASK_CHUNK_TARGETS)
    if len(chunks) < 2 or not prepared.sensor_keys:
        return False
    fields = [dataclasses.asdict(f) for f in prepared.fields()]
    start, end = prepared.plan.at.isoformat(), prepared.plan.horizon_end.isoformat()
    RetaskingRun.objects.filter(pk=run.pk).update(
        stage=f"predicting access windows in {len(chunks)} chunks",
        inputs={**run.inputs, "chunks": len(chunks)},
    )
    tasks = current_app.tasks
    header = [tasks[CHUNK_TASK].s(chunk, fields, start, end) for chunk in chunks]
    callback = tasks[FINISH_TASK].s(run.pk).on_error(tasks[FAILED_TASK].s(run_pk=run.pk))
    chord(header)(callback)
    return True


def chunk_windows(
    pairs: list[list[Any]], fields: list[dict[str, Any]], start: str, end: str
) -> dict[str, Any]:
    """One chunk's work: the access windows of its targets, as JSON."""
    targets = {int(obj): elements for obj, elements in pairs}
    windows = retasking.visible_windows(
        targets,
        [FieldOfRegard(**f) for f in fields],
        dt.datetime.fromisoformat(start),
        dt.datetime.fromisoformat(end),
    )
    # Four columns rather than a list per window: a tenth of the objects to encode and decode.
    columns = [list(c) for c in zip(*windows, strict=True)] if windows else [[], [], [], []]
    return {
        "objects": list(targets),
        "windows": dict(zip(("target", "sensor", "start", "end"), columns, strict=True)),
    }
