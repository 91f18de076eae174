"""SSN sensor tasks placed by retasking, the runs that placed them, and the gaps they left."""

from __future__ import annotations

from django.db import models

from portal.markings.models import MarkedModel
from tasking.choices import RetaskingRunStatus, SsnTaskStatus
from tasking.scheduler import GapReason

# The scheduler's reasons, and two found before scheduling.
GapReasonChoice = models.TextChoices(  # type: ignore[call-overload]
    "GapReasonChoice",
    [(reason.name, (reason.value, reason.label)) for reason in GapReason]
    + [
        ("WINDOW_OVER", ("window_over", "The request's window is over")),
        ("NO_ELEMENTS", ("no_elements", "No element set to predict the target from")),
    ],
)


class RetaskingRun(MarkedModel):
    """One pass of the scheduler over one snapshot of unmet demand (``key`` is the snapshot).

    Marked as the combination of every request and sensor it read, so its inputs and gap list
    are shown only to those who may read all of them.
    """

    key = models.CharField(max_length=64, unique=True, help_text="Digest of the input snapshot")
    status = models.CharField(
        max_length=10, choices=RetaskingRunStatus.choices, default=RetaskingRunStatus.RUNNING
    )
    at = models.DateTimeField(help_text="Start of the planning horizon")
    horizon_end = models.DateTimeField(null=True, blank=True)
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    stage = models.CharField(max_length=60, blank=True)
    inputs = models.JSONField(default=dict, blank=True)
    outputs = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    proposed_site = models.JSONField(
        null=True, blank=True, help_text="What-if runs: the proposed sensor; nothing is booked"
    )

    class Meta:
        ordering = ["-started", "-id"]

    def __str__(self) -> str:
        return f"retasking {self.at:%Y-%m-%d %H:%M} ({self.status})"


class SsnTask(MarkedModel):
    """One track of a target by a US SSN sensor in one sensor slot, answering one request.

    Marked at least as its request, its sensor and its target object. The slot is unique per
    sensor, so two runs at once can never book it twice.
    """

    run = models.ForeignKey(RetaskingRun, null=True, on_delete=models.SET_NULL, related_name="tasks")
    request = models.ForeignKey("tasking.TaskingRequest", on_delete=models.CASCADE, related_name="ssn_tasks")
    sensor = models.ForeignKey("agreements.Sensor", on_delete=models.PROTECT, related_name="ssn_tasks")
    space_object = models.ForeignKey("catalog.SpaceObject", on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=SsnTaskStatus.choices, default=SsnTaskStatus.SCHEDULED)
    reported_at = models.DateTimeField(null=True, blank=True)
    observations = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "sensor_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sensor", "start"], name="tasking_ssn_task_one_per_slot"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="tasking_ssn_task_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sensor_id} {self.start:%Y-%m-%d %H:%M:%S} for {self.request_id}"


class RetaskingGap(MarkedModel):
    """A request, or the part of one, that no SSN sensor could cover in a run, and why."""

    run = models.ForeignKey(RetaskingRun, on_delete=models.CASCADE, related_name="gaps")
    request = models.ForeignKey("tasking.TaskingRequest", on_delete=models.CASCADE, related_name="ssn_gaps")
    tracks_missing = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=20, choices=GapReasonChoice.choices)
    orbit_regime = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["run", "request_id"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.tracks_missing} ({self.reason})"
