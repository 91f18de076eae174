"""What retasking booked and left, as a reader may see it: the SSN timeline and the gap report.

Tasks and gaps are marked at least as their request and sensors, so `visible_to(user)` alone
decides what a reader sees; a partner's gap report holds only the gaps it may read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from agreements.choices import Priority
from catalog.models import SpaceObject
from portal.references import readable as readable_rows
from tasking.models import RetaskingGap, RetaskingRun, RetaskingRunStatus, SsnTask, SsnTaskStatus
from tasking.models.retasking import GapReasonChoice
from tasking.services.retasking import PRIORITY_LEVEL

TIMELINE_HOURS = (6, 24, 72)
# One colour per priority level (1 most urgent), also used by the chart's legend.
LEVEL_COLOURS = {1: "#b00020", 2: "#d35400", 3: "#b7950b", 4: "#1f5fa8", 5: "#5d6d7e"}


def priority_level(priority: str) -> int:
    return PRIORITY_LEVEL.get(Priority(priority), 5)


@dataclass
class Timeline:
    start: dt.datetime
    end: dt.datetime
    tasks: list[SsnTask]
    # A task is marked as its request and sensor, not as its target: the target's catalog
    # number is shown only to readers of the object.
    readable_objects: frozenset[int] = frozenset()

    def by_sensor(self) -> list[tuple[Any, list[SsnTask]]]:
        groups: dict[int, tuple[Any, list[SsnTask]]] = {}
        for task in self.tasks:
            groups.setdefault(task.sensor_id, (task.sensor, []))[1].append(task)
        return sorted(groups.values(), key=lambda group: group[0].number)

    def chart(self) -> dict[str, Any]:
        """The chart's data: one bar per task, seconds from the start of the shown span."""
        origin = self.start.timestamp()
        return {
            "start": self.start.isoformat(),
            "hours": (self.end - self.start).total_seconds() / 3600.0,
            "sensors": [f"{sensor.number} {sensor.name}" for sensor, _ in self.by_sensor()],
            "colours": {str(level): colour for level, colour in LEVEL_COLOURS.items()},
            "tasks": [
                {
                    "sensor": f"{task.sensor.number} {task.sensor.name}",
                    "from": task.start.timestamp() - origin,
                    "to": task.end.timestamp() - origin,
                    "level": priority_level(task.request.priority),
                    "request": task.request.reference,
                    "target": task.space_object.catalog_number
                    if task.space_object_id in self.readable_objects
                    else None,
                    "status": task.status,
                }
                for task in self.tasks
            ],
        }


def timeline(user: Any, start: dt.datetime, hours: int) -> Timeline:
    end = start + dt.timedelta(hours=hours)
    tasks = list(
        SsnTask.objects.visible_to(user)
        .filter(start__lt=end, end__gt=start)
        .exclude(status=SsnTaskStatus.FAILED)
        .select_related("sensor", "request", "space_object")
        .order_by("start", "sensor__number")[:5000]
    )
    objects = {task.space_object_id for task in tasks}
    readable = frozenset(readable_rows(SpaceObject, user).filter(pk__in=objects).values_list("pk", flat=True))
    return Timeline(start, end, tasks, readable)


def latest_run() -> RetaskingRun | None:
    """The latest finished run that booked (what-if runs book nothing). Only its id is used
    to pick gaps; the run itself is shown only to those who may read it."""
    return (
        RetaskingRun.objects.filter(status=RetaskingRunStatus.SUCCEEDED, proposed_site__isnull=True)
        .order_by("-started", "-id")
        .first()
    )


def gap_report(
    user: Any, *, reason: str = "", regime: str = "", level: int | None = None
) -> tuple[RetaskingRun | None, QuerySet[RetaskingGap]]:
    """The latest run's gaps the reader may read, filtered; and the run, if the reader may read it."""
    run = latest_run()
    gaps = RetaskingGap.objects.visible_to(user).filter(run=run).select_related("request")
    if reason:
        gaps = gaps.filter(reason=reason)
    if regime:
        gaps = gaps.filter(orbit_regime=regime)
    if level is not None:
        gaps = gaps.filter(request__priority__in=[p for p, n in PRIORITY_LEVEL.items() if n == level])
    readable_run = RetaskingRun.objects.visible_to(user).filter(pk=run.pk).first() if run else None
    return readable_run, gaps.order_by("request_id")


def running_runs(user: Any) -> list[RetaskingRun]:
    """Retasking runs still working that the reader may read, with their progress."""
    return list(
        RetaskingRun.objects.visible_to(user)
        .filter(status=RetaskingRunStatus.RUNNING, proposed_site__isnull=True)
        .order_by("started")[:5]
    )


REASONS = GapReasonChoice.choices
